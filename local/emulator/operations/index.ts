import { cancelServiceInstanceDeployment, createServiceInstance, getServiceInstance, listServiceInstanceOutputs, listServiceInstances, updateServiceInstance } from './instance-ops';
import { createService, deleteService, getService, updateService } from './service-ops';
import { listTagsForResource, tagResource, untagResource } from './tag-ops';
import { Handler } from './types';

/** The operations the emulator serves, by their X-Amz-Target operation name. */
export const HANDLERS: Readonly<Record<string, Handler>> = {
  CancelServiceInstanceDeployment: cancelServiceInstanceDeployment,
  CreateService: createService,
  CreateServiceInstance: createServiceInstance,
  DeleteService: deleteService,
  GetService: getService,
  GetServiceInstance: getServiceInstance,
  ListServiceInstanceOutputs: listServiceInstanceOutputs,
  ListServiceInstances: listServiceInstances,
  ListTagsForResource: listTagsForResource,
  TagResource: tagResource,
  UntagResource: untagResource,
  UpdateService: updateService,
  UpdateServiceInstance: updateServiceInstance,
};

export { seedService } from './service-ops';
export type { SeedInstance, SeedService } from './service-ops';
