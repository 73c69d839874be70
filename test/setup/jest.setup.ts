import 'aws-sdk-client-mock-jest';

// The handlers and the local services write a line per step; the tests read what they need from the driver's
// captured logs or the spy, and the console stays readable.
beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
