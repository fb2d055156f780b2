export { startRazorpaySandbox } from './razorpay-sandbox.ts';
export type {
  CaptureOptions,
  DeliverOptions,
  DeliveryRecord,
  FaultSpec,
  LogFilter,
  PayOptions,
  PayResult,
  PaymentErrorDetails,
  RazorpaySandbox,
  RequestLogEntry,
  SandboxAccount,
  SandboxCard,
  SandboxOptions,
  SandboxOrder,
  SandboxOrderStatus,
  SandboxPayment,
  SandboxPaymentMethod,
  SandboxPaymentStatus,
} from './sandbox.types.ts';
export {
  CHECKOUT_MODAL_SELECTORS,
  CHECKOUT_SCRIPT_PATH,
  checkoutScriptUrl,
  type CheckoutScriptOptions,
} from './checkout/checkout-paths.ts';
export { checkoutSignature } from './checkout/checkout.service.ts';
export type {
  CheckoutFailure,
  CheckoutOutcome,
  CheckoutPayRequest,
  CheckoutSuccess,
} from './checkout/checkout.types.ts';
