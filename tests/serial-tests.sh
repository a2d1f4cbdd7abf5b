#!/bin/bash
# tests/serial-tests.sh - the serial console under back-pressure: readers that type ahead,
# pause, or go away for a while (issue 15 "The serial console goes deaf when a user types
# ahead", issue 16 item 2).
#
# A python3 client drives the monitor the way people script it, over a Unix socket
# (-chardev socket) or QEMU's stdio. QEMU's UART hands each byte to the back end at once,
# and when the reader does not read, the socket or pipe fills and THRE stays clear: the
# kernel sees a stalled transmitter. The policy under test (drivers/serial.c): a stall
# shorter than the per-character timeout (500 ms) loses nothing; after it, characters are
# dropped and counted until the port drains, output then resumes with a line
# "[serial: N characters dropped while the port was stalled]", and input is read all
# along. So every check is exact: the text received, with the notices taken out, must be
# the text a calm reader gets (the same commands typed once more at the end of the
# session), except for the N characters each notice reports at its place.
#
#   type-ahead   the issue's reproduction (socket, $SERIAL_RUNS runs, default 3; once on
#                stdio): help, 50 ms, meminfo, 50 ms, frobnicate, without reading in
#                between; the whole output of all three arrives, nothing dropped.
#   short pauses a reader that stops for 40 ms or 100 ms every 2000 bytes of a 4 KiB
#                dump (about 19 KB of text) on a socket, or 100 ms every 4096 bytes on
#                stdio with the pipe shrunk to one page (so that the pause is felt):
#                nothing may be lost.
#   long pause   a reader that stops for 2 s (socket) or 1 s (stdio, one-page pipe) in
#                the middle of the dump: the dump may lose characters, but only as many
#                as the notice says, at its place; the next command is answered.
#   away         a reader that stops reading for 3 s while it types 30 dumps: all 30 run
#                (the notice's count covers exactly all their output, so this must
#                drop: a transmitter that waited for ever would fail), then it reads
#                again and the session goes on.
# Every session ends with `halt`: QEMU must exit with status 33.
# Prints "serial: N passed, N failed"; the exit status is non-zero on any failure.
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
LOGDIR=${LOGDIR:-$BUILD/test-logs}
KERNEL=${KERNEL:-$BUILD/kernel.elf}
RUNS=${SERIAL_RUNS:-3}
mkdir -p "$LOGDIR/failed"
LOG=$LOGDIR/serial.log
: > "$LOG"

echo "serial tests (the monitor under back-pressure, log in $LOG):"
python3 - "$KERNEL" "$LOG" "$RUNS" << 'EOF'
import fcntl, os, re, select, signal, socket, subprocess, sys, tempfile, time

KERNEL, LOG, RUNS = sys.argv[1], sys.argv[2], int(sys.argv[3])
PROMPT = b"\r\nmon> "
NOTICE = re.compile(rb"\r\n\[serial: ([0-9]+) characters dropped while the port was stalled\]\r\n")
DUMP = "dump 0xc0100000 4096"  # kernel text: 256 lines, the same on every run
log = open(LOG, "ab", buffering=0)
passed = failed = 0


def result(ok, name, why=""):
    global passed, failed
    if ok:
        passed += 1
        print("  ok    %s" % name, flush=True)
    else:
        failed += 1
        print("  FAIL  %s: %s" % (name, why), flush=True)
    log.write(b"\n===== %s: %s %s\n" % (name.encode(), b"ok" if ok else b"FAIL", why.encode()))


class Session:
    """QEMU with the monitor on its serial port: backend 'socket' or 'stdio'."""

    def __init__(self, name, backend, pipe_size=None):
        log.write(b"\n===== %s (%s)\n" % (name.encode(), backend.encode()))
        self.raw = b""  # everything received, as sent
        self.eof = False
        self.tmp = None
        args = ["timeout", "120", "qemu-system-i386", "-m", "128M", "-kernel", KERNEL,
                "-append", "shell exit=qemu", "-display", "none", "-no-reboot", "-monitor", "none",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        if backend == "socket":
            self.tmp = tempfile.TemporaryDirectory(prefix="serial-tests.")
            path = os.path.join(self.tmp.name, "s0.sock")
            args += ["-chardev", "socket,id=s0,path=%s,server=on,wait=on" % path, "-serial", "chardev:s0"]
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         start_new_session=True)
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            for _ in range(400):
                try:
                    self.sock.connect(path)
                    break
                except OSError:
                    time.sleep(0.025)
            self.rfd = self.sock.fileno()
        else:
            args += ["-serial", "stdio"]
            self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                         start_new_session=True)
            if pipe_size:
                fcntl.fcntl(self.proc.stdout.fileno(), fcntl.F_SETPIPE_SZ, pipe_size)
            self.rfd = self.proc.stdout.fileno()
        self.backend = backend

    def send(self, text):
        data = text.encode()
        if self.backend == "socket":
            self.sock.sendall(data)
        else:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()

    def pump(self, timeout, limit=65536):
        """Read what arrives within `timeout` s (at most `limit` bytes); False on silence or EOF."""
        if self.eof:
            return False
        if not select.select([self.rfd], [], [], max(0, timeout))[0]:
            return False
        data = os.read(self.rfd, limit)
        if not data:
            self.eof = True
            return False
        log.write(data)
        self.raw += data
        return True

    def wait_for(self, text, start, timeout=10):
        """Read until `text` appears at or after `start`; its end offset, or None."""
        end = time.monotonic() + timeout
        while True:
            i = self.raw.find(text, start)
            if i >= 0:
                return i + len(text)
            left = end - time.monotonic()
            if left <= 0 or self.eof:
                return None
            self.pump(left)

    def read_bytes(self, n, start, timeout=20):
        """Read until `n` bytes have come after `start`, in small reads."""
        end = time.monotonic() + timeout
        while len(self.raw) - start < n and time.monotonic() < end and not self.eof:
            self.pump(end - time.monotonic(), 256)
        return len(self.raw) - start >= n

    def quiet(self, seconds):
        while self.pump(seconds):
            pass

    def command(self, cmd):
        """Type a command calmly; its echo, output and the next prompt, or None."""
        start = len(self.raw)
        self.send(cmd + "\r")
        end = self.wait_for(PROMPT, start)
        return None if end is None else self.raw[start:end]

    def finish(self, timeout=10):
        """Read to the end; QEMU's exit status (None when it had to be killed)."""
        end = time.monotonic() + timeout
        while not self.eof and time.monotonic() < end:
            self.pump(end - time.monotonic())
        try:
            return self.proc.wait(timeout=max(1, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.kill()
            return self.proc.returncode

    def kill(self):
        # `timeout` and QEMU are a process group of their own: end both.
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def close(self):
        self.kill()
        if self.backend == "stdio":
            self.proc.stdin.close()
            self.proc.stdout.close()
        if self.backend == "socket":
            self.sock.close()
            self.tmp.cleanup()


def lost_only_as_reported(got, want):
    """Is `got` the text `want` with runs of characters dropped, each run replaced by a
    notice with its exact length? (None, number dropped) if so, else (why, 0)."""
    pos = 0  # in want
    total = 0
    for seg, count in zip(NOTICE.split(got)[0::2], NOTICE.split(got)[1::2] + [None]):
        if want[pos:pos + len(seg)] != seg:
            return "differs from a calm run near byte %d: got %r, expected %r" % (
                pos, seg[:60], want[pos:pos + 60]), 0
        pos += len(seg)
        if count is not None:
            pos += int(count)
            total += int(count)
    if pos != len(want):
        return "%d bytes expected, %d received + %d reported dropped" % (
            len(want), len(got) - sum(len(m.group(0)) for m in NOTICE.finditer(got)), total), 0
    return None, total


def boot(s):
    return s.wait_for(PROMPT, 0, timeout=30) is not None


def halt(s, name):
    s.send("halt\r")
    status = s.finish()
    ok = status == 33 and b"kernel: halted" in s.raw
    result(ok, name + ": halt ends QEMU with status 33", "status %s%s" % (
        status, "" if b"kernel: halted" in s.raw else ", no 'kernel: halted'"))


def type_ahead(name, backend, pipe_size=None):
    s = Session(name, backend, pipe_size)
    try:
        if not boot(s):
            return result(False, name, "no prompt after boot")
        mark = len(s.raw)
        s.send("help\r")
        time.sleep(0.05)  # not reading meanwhile: the back end fills up
        s.send("meminfo\r")
        time.sleep(0.05)
        s.send("frobnicate\r")
        end = s.wait_for(b"error: unknown command 'frobnicate' (try 'help')" + PROMPT, mark)
        got = s.raw[mark:end] if end else s.raw[mark:]
        # The same three calmly, as the reference.
        want = [s.command(c) for c in ("help", "meminfo", "frobnicate")] if end else []
        if end is None:
            result(False, name, "the output stopped after %d bytes: %r" % (len(got), got[-60:]))
        elif None in want:
            result(False, name, "a calm command after the burst got no answer")
        elif got != b"".join(want):
            why, _ = lost_only_as_reported(got, b"".join(want))
            result(False, name, why or "characters dropped (a notice)")
        else:
            lines = got.count(b"\n")
            result(True, "%s: all %d lines of help, meminfo and frobnicate's error arrived" % (name, lines))
        halt(s, name)
    finally:
        s.close()


def pause_in_dump(name, backend, every, pause, may_lose, pipe_size=None, times=None):
    """Read the dump, stopping for `pause` s after each `every` bytes (`times` times)."""
    s = Session(name, backend, pipe_size)
    try:
        if not boot(s):
            return result(False, name, "no prompt after boot")
        mark = len(s.raw)
        s.send(DUMP + "\r")
        n = 0
        while times is None or n < times:
            if not s.read_bytes(every, len(s.raw), timeout=5):
                break  # the dump ended (or stopped)
            time.sleep(pause)
            n += 1
        s.quiet(0.5)
        # The next command must be answered, whatever happened to the dump.
        s.send("frobnicate\r")
        end = s.wait_for(b"error: unknown command 'frobnicate' (try 'help')" + PROMPT, mark)
        got = s.raw[mark:end] if end else s.raw[mark:]
        want = [s.command(DUMP), s.command("frobnicate")] if end else []
        if end is None:
            result(False, name, "no answer to the next command: the port went deaf (%d bytes after the dump)"
                   % len(got))
        elif None in want:
            result(False, name, "a calm command afterwards got no answer")
        else:
            why, lost = lost_only_as_reported(got, b"".join(want))
            if why:
                result(False, name, why)
            elif lost and not may_lose:
                result(False, name, "%d characters dropped" % lost)
            else:
                what = "%d characters dropped, exactly as reported" % lost if lost else "nothing lost"
                result(True, "%s: %d pauses; %s" % (name, n, what))
        halt(s, name)
    finally:
        s.close()


def away(name, backend, commands, seconds):
    """Stop reading, type `commands` dumps, come back after `seconds`."""
    s = Session(name, backend)
    try:
        if not boot(s):
            return result(False, name, "no prompt after boot")
        mark = len(s.raw)
        for _ in range(commands):
            s.send(DUMP + "\r")
        time.sleep(seconds)
        s.quiet(0.5)
        s.send("frobnicate\r")
        end = s.wait_for(b"error: unknown command 'frobnicate' (try 'help')" + PROMPT, mark)
        got = s.raw[mark:end] if end else s.raw[mark:]
        want = [s.command(DUMP), s.command("frobnicate")] if end else []
        if end is None:
            result(False, name, "no answer after coming back: the port went deaf (%d bytes)" % len(got))
        elif None in want:
            result(False, name, "a calm command afterwards got no answer")
        else:
            why, lost = lost_only_as_reported(got, want[0] * commands + want[1])
            if why:
                result(False, name, why)
            elif not lost:
                result(False, name, "nothing dropped: the reader's absence was not felt")
            else:
                result(True, "%s: all %d dumps ran while nobody read; %d characters dropped, "
                       "exactly as reported" % (name, commands, lost))
        halt(s, name)
    finally:
        s.close()


for run in range(1, RUNS + 1):
    type_ahead("type-ahead over a socket, run %d" % run, "socket")
type_ahead("type-ahead over stdio", "stdio", pipe_size=4096)
pause_in_dump("socket reader pausing 40 ms every 2000 bytes", "socket", 2000, 0.04, False)
pause_in_dump("socket reader pausing 100 ms every 2000 bytes", "socket", 2000, 0.1, False)
pause_in_dump("socket reader pausing 2 s in a 4 KiB dump", "socket", 4000, 2, True, times=1)
pause_in_dump("stdio reader pausing 1 s in a 4 KiB dump", "stdio", 4000, 1, True, pipe_size=4096, times=1)
pause_in_dump("stdio reader pausing 100 ms every 4096 bytes", "stdio", 4096, 0.1, False, pipe_size=4096)
away("socket reader away for 3 s", "socket", 30, 3)

print("serial: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF
status=$?
[ "$status" = 0 ] || cp "$LOG" "$LOGDIR/failed/serial.log"
exit "$status"
