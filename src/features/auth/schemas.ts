import { z } from 'zod';

const email = z.string().trim().toLowerCase().pipe(z.email({ message: 'Enter a valid email address.' }));

export const signInSchema = z.object({
  email,
  password: z.string().min(1, 'Enter your password.').max(72),
  next: z.string().max(2048).optional(),
});
export type SignInInput = z.infer<typeof signInSchema>;

/** Matches the auth server's rule (GoTrue's minimum length), checked here first for a faster answer. */
export const PASSWORD_MIN_LENGTH = 8;

export const signUpSchema = z.object({
  email,
  password: z
    .string()
    .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
    .max(72, 'Use at most 72 characters.'),
  next: z.string().max(2048).optional(),
});
export type SignUpInput = z.infer<typeof signUpSchema>;
