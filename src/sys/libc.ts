/**
 * The shared plumbing for calling libc through FFI: opening it lazily, reading errno and its
 * message, and building a `struct sockaddr_un`.
 *
 * Why FFI at all: Deno has no waitpid(), prctl(), kill(-1), mkfifo(), dup2()/execve(), no
 * abstract or fd-level sockets and no recvmmsg(); chaperone's init duties need each of them.
 * Every file that calls libc keeps its own symbol table and says why it needs it; this module
 * only removes the boilerplate they would otherwise repeat.
 *
 * Assumes glibc on Linux (LP64): the library is "libc.so.6", errno is read through
 * `__errno_location()`, and AF_UNIX addresses have a 108-byte `sun_path`.
 */

/** The file dlopen() loads: glibc's soname. */
const LIBC_PATH = "libc.so.6";
const AF_UNIX = 1;
/** sizeof(sockaddr_un.sun_path) on Linux. */
const SUN_PATH_MAX = 108;

/** The symbols every opened libc gets, for lastErrno()/lastError()/strerror(). */
const ERRNO_SYMBOLS = {
  __errno_location: { parameters: [], result: "pointer" },
  strerror: { parameters: ["i32"], result: "pointer" },
} as const;

/** The errno part of an opened libc, all that lastErrno()/lastError()/errnoText() need. */
export interface ErrnoSymbols {
  __errno_location(): Deno.PointerValue;
  strerror(errno: number): Deno.PointerValue;
}

/** libc's symbols for table `S`, plus the errno symbols. */
export type Libc<S extends Deno.ForeignLibraryInterface> = Deno.DynamicLibrary<
  S & typeof ERRNO_SYMBOLS
>["symbols"];

/**
 * Returns a function that opens libc with `symbols` (plus `__errno_location` and `strerror`)
 * on its first call and returns the same symbols afterwards, so that importing a module that
 * uses FFI needs no FFI permission until it really calls libc.
 */
export function lazyLibc<const S extends Deno.ForeignLibraryInterface>(
  symbols: S,
): () => Libc<S> {
  let lib: Libc<S> | undefined;
  return () => lib ??= Deno.dlopen(LIBC_PATH, { ...symbols, ...ERRNO_SYMBOLS }).symbols;
}

/**
 * errno of this thread. Only meaningful right after a failed synchronous libc call: a call
 * declared `nonblocking` runs on another thread, whose errno this cannot see. Builds no
 * message, so a hot loop can test for EAGAIN cheaply.
 */
export function lastErrno(lib: ErrnoSymbols): number {
  const pointer = lib.__errno_location();
  return pointer === null ? 0 : new Deno.UnsafePointerView(pointer).getInt32();
}

/** strerror(errno) as text, or "errno N" when libc has no message. */
export function errnoText(lib: ErrnoSymbols, errno: number): string {
  const text = lib.strerror(errno);
  return text === null ? `errno ${errno}` : Deno.UnsafePointerView.getCString(text);
}

/** errno after a failed synchronous libc call on this thread, with its message. */
export function lastError(lib: ErrnoSymbols): { errno: number; message: string } {
  const errno = lastErrno(lib);
  return { errno, message: errnoText(lib, errno) };
}

/** Options for sockaddrUn(). */
export interface SockaddrUnOptions {
  /** Address the Linux abstract namespace: a leading NUL byte, no file, no terminator. */
  abstract?: boolean;
}

/**
 * Builds a `struct sockaddr_un` for `path` (NUL-terminated), or for the abstract name `path`
 * with `{ abstract: true }`; its length is the address length to pass to bind()/sendto().
 * Throws RangeError when the name is empty or does not fit in sun_path.
 */
export function sockaddrUn(path: string, options: SockaddrUnOptions = {}): Uint8Array {
  const abstract = options.abstract ?? false;
  const shown = abstract ? `@${path}` : path;
  if (path === "") throw new RangeError(`Invalid Unix socket address "${shown}": empty name`);
  const name = new TextEncoder().encode(path);
  // Either form spends one byte of sun_path on a NUL: leading for abstract names, trailing
  // for paths.
  if (name.length + 1 > SUN_PATH_MAX) {
    throw new RangeError(
      `Invalid Unix socket address "${shown}": longer than ${SUN_PATH_MAX - 1} bytes`,
    );
  }
  const address = new Uint8Array(2 + 1 + name.length);
  new DataView(address.buffer).setUint16(0, AF_UNIX, true);
  address.set(name, abstract ? 3 : 2);
  return address;
}

const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const EADDRINUSE = 98;

const openSocketLibc = lazyLibc({
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
});

/**
 * A close-on-exec AF_UNIX datagram socket bound to `address` (from sockaddrUn()); returns its
 * fd. Throws an Error naming `what` (Deno.errors.AddrInUse when the address is taken).
 */
export function bindUnixDatagram(address: Uint8Array, what: string): number {
  const lib = openSocketLibc();
  const fd = lib.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error(`Cannot create ${what}: ${lastError(lib).message}`);
  if (lib.bind(fd, address, address.length) !== 0) {
    const { errno, message } = lastError(lib);
    lib.close(fd);
    const text = `Cannot bind ${what}: ${message}`;
    throw errno === EADDRINUSE ? new Deno.errors.AddrInUse(text) : new Error(text);
  }
  return fd;
}
