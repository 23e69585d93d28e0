// What the S3 server process receives on its command line and reports back over IPC.
export interface S3ServerProcessConfig {
  host: string;
  port: number;
  directory: string;
  buckets: string[];
  accessKeyId: string;
  secretAccessKey: string;
}

export type S3ServerProcessMessage = { type: 'ready'; port: number };
