export { InferenceModule } from './inference.module';
export { Fallback, InferenceService, PredictOptions, PredictResult } from './inference.service';
export { InferenceError } from './inference.errors';
export { RowPrediction } from './output-format';
export { columnsOf, PredictionColumns } from './prediction-columns';
export { MatrixScorer } from './predict-result';
export { toFloatMatrix } from './float-matrix';
