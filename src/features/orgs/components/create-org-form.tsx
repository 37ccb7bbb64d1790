'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, FormError, Input } from '@/components/ui/field';
import { useActionForm } from '@/lib/use-action-form';
import { createOrgAndOpenAction } from '../actions';
import { slugify } from '../schemas';

export function CreateOrgForm() {
  const form = useActionForm(createOrgAndOpenAction);
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  return (
    <form onSubmit={form.onSubmit} className="space-y-4" noValidate>
      {form.error && !form.error.fieldErrors ? <FormError message={form.error.message} /> : null}
      <Field id="name" label="Organization name" errors={form.fieldErrors('name')}>
        <Input
          id="name"
          name="name"
          required
          autoFocus
          maxLength={80}
          value={name}
          invalid={!!form.fieldErrors('name')}
          onChange={(e) => {
            setName(e.target.value);
            if (!slugEdited) setSlug(slugify(e.target.value));
          }}
        />
      </Field>
      <Field id="slug" label="URL" hint={`Your workspace will live at /${slug || 'your-org'}`} errors={form.fieldErrors('slug')}>
        <Input
          id="slug"
          name="slug"
          required
          maxLength={40}
          value={slug}
          invalid={!!form.fieldErrors('slug')}
          onChange={(e) => {
            setSlugEdited(true);
            setSlug(e.target.value);
          }}
        />
      </Field>
      <Button type="submit" className="w-full" pending={form.pending}>
        Create organization
      </Button>
    </form>
  );
}
