import type { Metadata, Viewport } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { Providers } from '@/components/providers';
import { brandIcons, brandThemeColor } from '@/lib/brand';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Fleetline', template: '%s · Fleetline' },
  description: 'The operator console for AWS IoT fleets.',
  ...brandIcons,
};

export const viewport: Viewport = { themeColor: brandThemeColor };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const theme = (await cookies()).get('theme')?.value;
  const themeClass = theme === 'dark' || theme === 'light' ? theme : undefined;
  return (
    <html lang="en" className={themeClass}>
      <body className="min-h-dvh font-sans antialiased">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
