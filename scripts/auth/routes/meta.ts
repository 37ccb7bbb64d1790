import { json, type Handler } from '../http';
import { publicJwk } from '../tokens';

export const health: Handler = async () =>
  json({ version: 'fleetline-local', name: 'GoTrue', description: 'GoTrue-compatible local auth server for Fleetline' });

const PROVIDERS = [
  'anonymous_users', 'apple', 'azure', 'bitbucket', 'discord', 'facebook', 'snapchat', 'figma', 'fly', 'github',
  'gitlab', 'google', 'keycloak', 'kakao', 'linkedin', 'linkedin_oidc', 'notion', 'spotify', 'slack', 'slack_oidc',
  'workos', 'twitch', 'twitter', 'email', 'phone', 'zoom',
] as const;

/** GoTrue's `/settings`: only email + password, sign-up open, confirmations off (autoconfirm). */
export const settings: Handler = async () =>
  json({
    external: Object.fromEntries(PROVIDERS.map((name) => [name, name === 'email'])),
    disable_signup: false,
    mailer_autoconfirm: true,
    phone_autoconfirm: false,
    sms_provider: '',
    saml_enabled: false,
    passkeys_enabled: false,
  });

/** Public ES256 key; auth-js `getClaims()` verifies access tokens locally with it. */
export const jwks: Handler = async (ctx) => json({ keys: [publicJwk(ctx.keys)] }, { 'Cache-Control': 'public, max-age=600' });
