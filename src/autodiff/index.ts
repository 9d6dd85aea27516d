export { gradients, type GradientOptions } from './gradients.js';
export { stopGradient } from './stop-gradient.js';
export { vjpRules, nonDifferentiable, type VjpContext, type VjpRule } from './rules.js';
