export * from './razorpay-credentials.ts';
export * from './razorpay-secrets.ts';
export * from './razorpay-account.repository.ts';
export * from './credential-rotation.ts';
