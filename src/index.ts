export * from './service-instance';
export * from './instance-spec';
