import { useEffect, useState } from 'preact/hooks';
import QRCode from 'qrcode';

// Rendered in the browser from the bundled qrcode package: no remote image service.
export function QrCode(props: { text: string; label: string; size?: number }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    if (props.text.startsWith('data:image/')) {
      setSrc(props.text);
      return;
    }
    QRCode.toString(props.text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })
      .then((svg) => live && setSrc(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`))
      .catch(() => live && setSrc(null));
    return () => {
      live = false;
    };
  }, [props.text]);
  const size = props.size ?? 180;
  return src ? (
    <img class="qr" src={src} width={size} height={size} alt={props.label} />
  ) : (
    <div class="qr qr-placeholder" style={{ width: size, height: size }} aria-hidden="true" />
  );
}
