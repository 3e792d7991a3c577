import { twilioSid } from './ids.js';
import type { Samples } from './types.js';

const ACCOUNT = 'AC3f1e8a9b2c4d5e6f7a8b9c0d1e2f3a4b';

/** Twilio posts form-encoded parameters; the signature covers the URL + sorted parameters. */
const form = (params: Record<string, string>) => new URLSearchParams(params).toString();

export const twilio: Samples = {
  scheme: 'twilio',
  userAgent: 'TwilioProxy/1.1',
  contentType: 'application/x-www-form-urlencoded',
  // The MessageSid is what receivers key on.
  newId: () => twilioSid('SM'),
  headers: (ctx) => ({ Accept: '*/*', 'I-Twilio-Idempotency-Token': ctx.delivery, 'X-Home-Region': 'us1' }),
  events: [
    {
      event: 'message.status',
      description: 'an SMS status callback: the message was delivered',
      body: (ctx) => form({
        SmsSid: ctx.id, SmsStatus: 'delivered', MessageStatus: 'delivered', To: '+15558675310',
        MessageSid: ctx.id, AccountSid: ACCOUNT, From: '+15017122661', ApiVersion: '2010-04-01',
      }),
    },
    {
      event: 'message.incoming',
      description: 'an incoming SMS',
      body: (ctx) => form({
        ToCountry: 'US', ToState: 'CA', SmsMessageSid: ctx.id, NumMedia: '0', ToCity: 'SAN FRANCISCO', FromZip: '94105',
        SmsSid: ctx.id, FromState: 'CA', SmsStatus: 'received', FromCity: 'SAN FRANCISCO', Body: 'Is the webhook up? 👋',
        FromCountry: 'US', To: '+15017122661', ToZip: '94105', NumSegments: '1', MessageSid: ctx.id,
        AccountSid: ACCOUNT, From: '+15558675310', ApiVersion: '2010-04-01',
      }),
    },
  ],
};
