import { toOpenApiSchema } from '../api/openapi-schema.ts';
import type { OpenApiSchema } from '../api/openapi-schema.ts';
import {
  STREAM_JOB_GROUP,
  STREAM_JOB_KIND,
  STREAM_JOB_PLURAL,
  STREAM_JOB_SHORT_NAMES,
  STREAM_JOB_SINGULAR,
  STREAM_JOB_VERSION,
  StreamJobSchema,
} from '../api/stream-job.ts';

export const STREAM_JOB_CRD_NAME = `${STREAM_JOB_PLURAL}.${STREAM_JOB_GROUP}`;

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames: string[]; categories: string[] };
    scope: 'Namespaced' | 'Cluster';
    versions: Array<{
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: OpenApiSchema };
      subresources: {
        status: Record<string, never>;
        scale: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath: string };
      };
      additionalPrinterColumns: PrinterColumn[];
    }>;
  };
}

export const STREAM_JOB_PRINTER_COLUMNS: PrinterColumn[] = [
  { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Lifecycle phase of the job.' },
  { name: 'Parallelism', type: 'integer', jsonPath: '.spec.job.parallelism', description: 'Default parallelism of the job.' },
  { name: 'Last Checkpoint', type: 'integer', jsonPath: '.status.lastCheckpoint.id', description: 'Id of the newest completed checkpoint.' },
  { name: 'Restarts', type: 'integer', jsonPath: '.status.restarts', description: 'Times the current run restarted after a failure, over all its JobManagers.' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  { name: 'Job ID', type: 'string', jsonPath: '.status.jobId', priority: 1, description: 'Id of the current run.' },
  { name: 'TaskManagers', type: 'integer', jsonPath: '.status.taskManagers.ready', priority: 1, description: 'Ready TaskManager pods.' },
];

/**
 * The StreamJob CustomResourceDefinition, built from the operator's schema: the one place the CRD's
 * names, subresources and printer columns are decided.
 */
export function streamJobCrd(): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: STREAM_JOB_CRD_NAME, labels: { 'app.kubernetes.io/part-of': 'sluice' } },
    spec: {
      group: STREAM_JOB_GROUP,
      names: {
        kind: STREAM_JOB_KIND,
        listKind: `${STREAM_JOB_KIND}List`,
        plural: STREAM_JOB_PLURAL,
        singular: STREAM_JOB_SINGULAR,
        shortNames: STREAM_JOB_SHORT_NAMES,
        // A StreamJob is a workload like a Deployment: `kubectl get all` lists it.
        categories: ['all'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: STREAM_JOB_VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: toOpenApiSchema(StreamJobSchema) },
          subresources: {
            status: {},
            // `kubectl scale sj/x --replicas=n` and autoscalers change the job's parallelism (TaskManager
            // pods follow it unless taskManager.replicas is set); the selector counts the TaskManager pods.
            scale: {
              specReplicasPath: '.spec.job.parallelism',
              statusReplicasPath: '.status.parallelism',
              labelSelectorPath: '.status.taskManagers.selector',
            },
          },
          additionalPrinterColumns: STREAM_JOB_PRINTER_COLUMNS,
        },
      ],
    },
  };
}
