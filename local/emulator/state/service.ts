export type ServiceStatus =
  | 'CREATE_IN_PROGRESS' | 'CREATE_FAILED_CLEANUP_IN_PROGRESS' | 'CREATE_FAILED_CLEANUP_COMPLETE' | 'CREATE_FAILED_CLEANUP_FAILED'
  | 'CREATE_FAILED' | 'ACTIVE' | 'DELETE_IN_PROGRESS' | 'DELETE_FAILED' | 'UPDATE_IN_PROGRESS' | 'UPDATE_FAILED_CLEANUP_IN_PROGRESS'
  | 'UPDATE_FAILED_CLEANUP_COMPLETE' | 'UPDATE_FAILED_CLEANUP_FAILED' | 'UPDATE_FAILED' | 'UPDATE_COMPLETE_CLEANUP_FAILED';

/** A service-level change in flight; `finish` runs once, when a read happens after `endsAt`. */
export interface PendingServiceChange {
  readonly status: ServiceStatus;
  readonly endsAt: number;
  readonly finish: (service: ServiceRecord) => void;
}

export interface ServiceRecord {
  readonly name: string;
  readonly arn: string;
  readonly templateName: string;
  readonly templateMajorVersion: string;
  readonly templateMinorVersion: string;
  readonly createdAt: number;
  spec: string;
  description?: string;
  lastModifiedAt: number;
  status: ServiceStatus;
  statusMessage?: string;
  pending?: PendingServiceChange;
  /** Set by a DeleteService that has completed: the store drops the record. */
  deleted?: boolean;
}

export const BUSY_SERVICE_STATUSES: ReadonlySet<ServiceStatus> = new Set(['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'DELETE_IN_PROGRESS']);

export function settleService(service: ServiceRecord, now: number): void {
  const p = service.pending;
  if (!p) return;
  if (now >= p.endsAt) {
    service.pending = undefined;
    p.finish(service);
  } else {
    service.status = p.status;
  }
}

export function serviceView(service: ServiceRecord): Record<string, unknown> {
  return {
    arn: service.arn,
    createdAt: service.createdAt / 1000,
    ...(service.description !== undefined ? { description: service.description } : {}),
    lastModifiedAt: service.lastModifiedAt / 1000,
    name: service.name,
    spec: service.spec,
    status: service.status,
    ...(service.statusMessage !== undefined ? { statusMessage: service.statusMessage } : {}),
    templateName: service.templateName,
  };
}
