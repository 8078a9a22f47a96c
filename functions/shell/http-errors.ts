/**
 * The API's errors. Each carries its HTTP status and a stable code; `toResponse` in http.ts is the
 * one place that turns any error into an answer.
 */
export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 422 | 429 | 503,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, details: ErrorDetail[] = []) => new ApiError(400, 'BadRequest', message, details);
export const unauthorized = () => new ApiError(401, 'Unauthorized', 'A valid bearer token is required.');
export const forbidden = (message: string) => new ApiError(403, 'Forbidden', message);
export const notFound = (message: string) => new ApiError(404, 'NotFound', message);
export const conflict = (code: string, message: string, details: ErrorDetail[] = []) => new ApiError(409, code, message, details);
export const unprocessable = (code: string, message: string, details: ErrorDetail[] = []) => new ApiError(422, code, message, details);
export const tooManyRequests = (message: string) => new ApiError(429, 'TooManyRequests', message);
export const serviceUnavailable = (code: string, message: string) => new ApiError(503, code, message);
