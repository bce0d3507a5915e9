import { ConfigValidationError, validateEnvironment } from './environment';

describe('registry configuration', () => {
  it('should default to local storage under .data/artifacts with a 500 MB limit when nothing is set', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({
      ARTIFACT_DIR: '.data/artifacts',
      MAX_ARTIFACT_MB: 500,
      ARTIFACT_STORAGE: 'local',
      S3_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: false,
      S3_PREFIX: 'artifacts/',
    });
    expect(env.S3_BUCKET).toBeUndefined();
  });

  it('should read the S3 settings when ARTIFACT_STORAGE is s3', () => {
    const env = validateEnvironment({
      ARTIFACT_STORAGE: 's3',
      S3_BUCKET: 'models',
      S3_ENDPOINT: 'http://minio:9000',
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'secret',
    });
    expect(env).toMatchObject({
      S3_BUCKET: 'models',
      S3_ENDPOINT: 'http://minio:9000',
      S3_FORCE_PATH_STYLE: true,
      S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'secret',
    });
  });

  it('should refuse s3 storage without a bucket and a malformed endpoint when they are given', () => {
    const run = () => validateEnvironment({ ARTIFACT_STORAGE: 's3', S3_SECRET_ACCESS_KEY: 'x', S3_ENDPOINT: 'minio' });
    expect(run).toThrow(ConfigValidationError);
    try {
      run();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toMatch(/S3_BUCKET must be set to a bucket name when ARTIFACT_STORAGE=s3/);
      expect(message).toMatch(/S3_ENDPOINT must be an http:\/\/ or https:\/\/ URL/);
    }
  });

  it('should refuse a storage kind or size limit out of range', () => {
    expect(() => validateEnvironment({ ARTIFACT_STORAGE: 'gcs' })).toThrow(/ARTIFACT_STORAGE must be local or s3/);
    expect(() => validateEnvironment({ MAX_ARTIFACT_MB: '0' })).toThrow(/MAX_ARTIFACT_MB must be an integer/);
    expect(() => validateEnvironment({ S3_PREFIX: 'no-slash' })).toThrow(/S3_PREFIX must be empty or a key prefix/);
  });
});
