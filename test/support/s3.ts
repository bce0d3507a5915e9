/** The environment of an app whose artifacts live in the s3rver bucket at `endpoint` (s3rver's fixed credentials). */
export function s3ArtifactEnv(endpoint: string, bucket: string, artifactDir: string): Record<string, string> {
  return {
    ARTIFACT_DIR: artifactDir,
    ARTIFACT_STORAGE: 's3',
    S3_BUCKET: bucket,
    S3_ENDPOINT: endpoint,
    S3_REGION: 'us-east-1',
    S3_FORCE_PATH_STYLE: 'true',
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
  };
}
