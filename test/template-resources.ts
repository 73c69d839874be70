import { Template } from 'aws-cdk-lib/assertions';

/** A resource as a synthesized template holds it: what the tests read of one. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown> & { readonly [name: string]: any };
  readonly DependsOn?: string[];
}

/** The template's resources of one type, by logical id. */
export function resourcesOf(template: Template, type: string): Record<string, TemplateResource> {
  return template.findResources(type) as Record<string, TemplateResource>;
}

/** The template's resources of one type, in template order. */
export function resourceListOf(template: Template, type: string): TemplateResource[] {
  return Object.values(resourcesOf(template, type));
}
