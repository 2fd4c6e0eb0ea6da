// snappyjs 0.7.0 ships no usable type declarations; this covers the two functions Hush calls.
declare module 'snappyjs' {
  export function compress(input: Uint8Array): Uint8Array
  export function uncompress(input: Uint8Array, maxLength?: number): Uint8Array
}
