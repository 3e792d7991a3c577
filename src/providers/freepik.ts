import { rawKey } from '../schemes/hmac.js';
import { standardFamily } from '../schemes/standard.js';
import { msgId } from './ids.js';
import type { Samples } from '../schemes/samples.js';
import { payload } from './standard.js';

const samples: Samples = {
  scheme: 'freepik',
  newId: msgId,
  events: [
    payload('image.generation.completed', 'an AI image generation task finished', (ctx) => ({
      task_id: '046b6c7f-0b8a-43b9-b35d-6489e6daee91', status: 'COMPLETED', finished_at: ctx.created,
      generated: ['https://cdn.example.com/freepik/046b6c7f/image-1.png'],
    })),
    payload('image.generation.failed', 'an AI image generation task failed', (ctx) => ({
      task_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7', status: 'FAILED', finished_at: ctx.created, error: 'content policy violation',
    })),
  ],
};

/**
 * Freepik: Standard Webhooks headers and signed content, but the HMAC key is the secret's own
 * UTF-8 bytes, not base64-decoded.
 */
export const freepik = standardFamily({
  name: 'freepik',
  provider: 'Freepik',
  prefix: 'webhook',
  key: rawKey,
  secretFormat: 'the secret as text (UTF-8), used as is, not base64-decoded',
  more: { docs: 'https://docs.freepik.com/webhooks', secretWhere: 'Freepik shows it in its developers dashboard, on the API key page', checkedBy: "docs text: a Python signer written from Freepik's page", samples, forgeryPeer: 'standard' },
});
