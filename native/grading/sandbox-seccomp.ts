// A seccomp filter (classic BPF, as bubblewrap's --seccomp reads it) that refuses new user namespaces: inside
// one, code could become "root" of its own namespace and mount filesystems the sandbox never offered (a tmpfs
// holding host memory, for one). unshare and clone with CLONE_NEWUSER fail with EPERM; clone3, whose flags sit
// behind a pointer a filter cannot read, fails with ENOSYS, so the C library falls back to clone. System calls of
// another architecture (i386 or x32 on x86-64) are refused outright: their numbers differ and would slip past.

const CLONE_NEWUSER = 0x10000000;
const EPERM = 1;
const ENOSYS = 38;
const X32_SYSCALL_BIT = 0x40000000;

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_JSET_K = 0x45;
const BPF_RET_K = 0x06;
const RET_ALLOW = 0x7fff0000;
const retErrno = (errno: number) => 0x00050000 | errno;

/** Offsets into struct seccomp_data: nr, arch, then the arguments (the low half of the first on little-endian). */
const NR = 0;
const ARCH = 4;
const ARG0_LOW = 16;

interface Arch {
  audit: number;
  clone: number;
  unshare: number;
  clone3: number;
  x32: boolean;
}

const ARCHES: Partial<Record<NodeJS.Architecture, Arch>> = {
  x64: { audit: 0xc000003e, clone: 56, unshare: 272, clone3: 435, x32: true },
  arm64: { audit: 0xc00000b7, clone: 220, unshare: 97, clone3: 435, x32: false },
};

type Instruction = [code: number, jt: number, jf: number, k: number];

/** The filter for this machine, or null where its system call numbers are not known here. */
export function denyUserNamespacesFilter(arch: NodeJS.Architecture = process.arch): Buffer | null {
  const a = ARCHES[arch];
  if (!a) return null;
  // Jump offsets count instructions after the current one; the three returns sit at the end.
  const program: Instruction[] = [
    [BPF_LD_W_ABS, 0, 0, ARCH],
    [BPF_JEQ_K, 1, 0, a.audit],
    [BPF_RET_K, 0, 0, retErrno(EPERM)],
    [BPF_LD_W_ABS, 0, 0, NR],
  ];
  const deny: Instruction = [BPF_RET_K, 0, 0, retErrno(EPERM)];
  program.push(
    ...(a.x32 ? [[BPF_JGE_K, 0, 1, X32_SYSCALL_BIT] as Instruction, deny] : []),
    [BPF_JEQ_K, 0, 1, a.clone3],
    [BPF_RET_K, 0, 0, retErrno(ENOSYS)],
    [BPF_JEQ_K, 1, 0, a.unshare],
    [BPF_JEQ_K, 0, 3, a.clone],
    [BPF_LD_W_ABS, 0, 0, ARG0_LOW],
    [BPF_JSET_K, 0, 1, CLONE_NEWUSER],
    deny,
    [BPF_RET_K, 0, 0, RET_ALLOW],
  );
  const bytes = Buffer.alloc(program.length * 8);
  program.forEach(([code, jt, jf, k], i) => {
    bytes.writeUInt16LE(code, i * 8);
    bytes.writeUInt8(jt, i * 8 + 2);
    bytes.writeUInt8(jf, i * 8 + 3);
    bytes.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return bytes;
}
