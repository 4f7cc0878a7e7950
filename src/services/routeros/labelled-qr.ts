import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphColumns } from './bitmap-font.ts';
import type { GrayImage } from './gray-png.ts';

/** QR modules as the `qrcode` package hands them out: `size`×`size`, row-major, truthy = dark. */
export interface QrModules {
  readonly size: number;
  get(row: number, col: number): number | boolean;
}

/** Quiet zone in modules on every side of the code (the QR spec asks for 4). */
export const QUIET_ZONE_MODULES = 4;
const CELL_WIDTH = GLYPH_WIDTH + 1;
const LINE_HEIGHT = GLYPH_HEIGHT + 2;

/** Where the caption sits under the code: every number in image pixels. */
export interface CaptionLayout {
  /** Side of the square QR part (code + quiet zone); the caption band starts at this row. */
  readonly qrSide: number;
  /** Pixels per font pixel. */
  readonly textScale: number;
  readonly lines: readonly { readonly chars: readonly string[]; readonly x: number; readonly y: number }[];
  readonly height: number;
}

/** Lays `label` out under a QR of `modules` modules drawn at about `widthPx`: as large as fits, wrapped when long. */
export function captionLayout(modules: number, widthPx: number, label: string): CaptionLayout {
  const moduleScale = Math.max(1, Math.floor(widthPx / (modules + 2 * QUIET_ZONE_MODULES)));
  const qrSide = (modules + 2 * QUIET_ZONE_MODULES) * moduleScale;
  const margin = QUIET_ZONE_MODULES * moduleScale;
  const usable = qrSide - 2 * margin;
  const chars = Array.from(label); // code points: one glyph (or one replacement box) each
  // Big enough to read on a phone (a long name wraps rather than shrinks below ~4% of the width),
  // never so big a short name looks like a banner.
  const maxScale = Math.max(2, Math.round(qrSide / 80));
  const minScale = Math.max(1, Math.round(qrSide / 170));
  const fitting = Math.floor(usable / (CELL_WIDTH * Math.max(1, chars.length)));
  const textScale = Math.min(maxScale, Math.max(minScale, fitting));
  const perLine = Math.max(1, Math.floor((usable + textScale) / (CELL_WIDTH * textScale)));
  const lines: { chars: string[]; x: number; y: number }[] = [];
  for (let i = 0; i < Math.max(1, chars.length);) {
    let end = Math.min(chars.length, i + perLine);
    if (end < chars.length) {
      // Prefer breaking after a space, dash or underscore in the line's second half; else cut mid-word.
      const at = chars.slice(i, end).findLastIndex((c, k) => k >= perLine / 2 && /[\s_-]/.test(c));
      if (at >= 0) end = i + at + 1;
    }
    const line = chars.slice(i, Math.max(end, i + 1));
    i += line.length;
    // Centre on the ink: a space the line was broken after leaves no mark.
    const inked = Math.max(1, Array.from(line.join('').trimEnd()).length);
    const inkWidth = (inked * CELL_WIDTH - 1) * textScale;
    lines.push({ chars: line, x: Math.floor((qrSide - inkWidth) / 2), y: qrSide + lines.length * LINE_HEIGHT * textScale });
  }
  return { qrSide, textScale, lines, height: qrSide + lines.length * LINE_HEIGHT * textScale + margin };
}

/** Draws the QR (quiet zone intact) with `label` printed underneath, black on white. */
export function drawLabelledQr(qr: QrModules, widthPx: number, label: string): GrayImage {
  const layout = captionLayout(qr.size, widthPx, label);
  const width = layout.qrSide;
  const pixels = new Uint8Array(width * layout.height).fill(255);
  const fill = (x: number, y: number, side: number): void => {
    for (let dy = 0; dy < side; dy++) pixels.fill(0, (y + dy) * width + x, (y + dy) * width + x + side);
  };
  const moduleScale = layout.qrSide / (qr.size + 2 * QUIET_ZONE_MODULES);
  const offset = QUIET_ZONE_MODULES * moduleScale;
  for (let row = 0; row < qr.size; row++) {
    for (let col = 0; col < qr.size; col++) {
      if (qr.get(row, col)) fill(offset + col * moduleScale, offset + row * moduleScale, moduleScale);
    }
  }
  const s = layout.textScale;
  for (const line of layout.lines) {
    line.chars.forEach((char, i) => {
      glyphColumns(char).forEach((bits, col) => {
        for (let row = 0; row < GLYPH_HEIGHT; row++) {
          if (bits & (1 << row)) fill(line.x + (i * CELL_WIDTH + col) * s, line.y + row * s, s);
        }
      });
    });
  }
  return { width, height: layout.height, pixels };
}
