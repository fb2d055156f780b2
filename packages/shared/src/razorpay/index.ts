export * from './razorpay.types.ts';
export * from './razorpay-error.ts';
export * from './razorpay.client.ts';
export * from './razorpay-clients.ts';
export * from './webhook-signature.ts';
export * from './checkout-signature.ts';
