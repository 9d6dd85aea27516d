export * from './elementwise.js';
export * from './matmul.js';
export * from './reduce.js';
export * from './random.js';
export * from './shape.js';
export { broadcastShapes } from './broadcast.js';
export * from './math.js';
export * from './softmax.js';
export * from './dynamic-shape.js';
