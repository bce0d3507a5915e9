export { InferenceModule } from './inference.module';
export { Fallback, InferenceService, PredictOptions, PredictResult } from './inference.service';
export { InferenceError } from './inference.errors';
export { RowPrediction } from './output-format';
export { toFloatMatrix } from './float-matrix';
