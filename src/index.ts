export * from './service-instance';
export * from './instance-spec';
export * from './template-schema';
export * from './provider';
