import { logoMark } from './logo-mark';

export function Logo({ className }: { className?: string }) {
  return (
    <span className={`inline-flex items-center gap-2 font-semibold tracking-tight text-ink ${className ?? ''}`}>
      <svg viewBox={logoMark.viewBox} className="size-6 text-brand-600" fill="none" stroke="currentColor" strokeWidth={logoMark.strokeWidth} aria-hidden>
        {logoMark.circles.map((c) => (
          <circle key={`${c.cx}-${c.cy}`} cx={c.cx} cy={c.cy} r={c.r} />
        ))}
        <path d={logoMark.path} />
      </svg>
      Fleetline
    </span>
  );
}
