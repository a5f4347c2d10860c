// In-process pins on blobs being uploaded, so a failed upload never deletes bytes a concurrent one still needs.

const pins = new Map<string, number>()

export function pinBlob(sha256: string): () => void {
  pins.set(sha256, (pins.get(sha256) ?? 0) + 1)
  let released = false
  return () => {
    if (released) return
    released = true
    const n = (pins.get(sha256) ?? 1) - 1
    if (n <= 0) pins.delete(sha256)
    else pins.set(sha256, n)
  }
}

export function pinCount(sha256: string): number {
  return pins.get(sha256) ?? 0
}
