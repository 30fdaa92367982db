# Records request frames from every connection a client opens; answers
# ApiVersions v3 with gafka's table and Metadata v4 with one broker (itself)
# and topic "events" of one partition, so a producer goes on to Produce.
# An optional second argument is the lowest Produce version it advertises
# (default 3, as gafka): librdkafka 2.0 compresses with gzip, snappy or lz4
# only when the broker lists Produce v0 (its check asks for v0..v0), so the
# compressed batches in this directory were captured with 0.
import socket, struct, sys, os, threading
out = sys.argv[1]; os.makedirs(out, exist_ok=True)
produce_min = int(sys.argv[2]) if len(sys.argv) > 2 else 3
apis = [(0,produce_min,7),(1,4,11),(2,0,3),(3,0,9),(8,0,7),(9,0,5),(10,0,2),(11,0,5),(12,0,3),(13,0,3),(14,0,3),(17,0,1),(18,0,3),(19,0,4),(20,0,3),(22,0,1),(36,0,1)]
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', 0)); s.listen(4)
port = s.getsockname()[1]; print(port, flush=True)
lock = threading.Lock(); count = [0]
def string(x): return struct.pack('>h', len(x)) + x.encode()
def serve(c):
    c.settimeout(8)
    def recvn(n):
        b = b''
        while len(b) < n:
            d = c.recv(n - len(b))
            if not d: raise EOFError
            b += d
        return b
    try:
        while True:
            size = struct.unpack('>i', recvn(4))[0]
            frame = struct.pack('>i', size) + recvn(size)
            key, ver, corr = struct.unpack('>hhi', frame[4:12])
            with lock:
                open(f'{out}/{count[0]}-key{key}-v{ver}.bin', 'wb').write(frame); count[0] += 1
            if key == 18 and ver == 3:
                body = struct.pack('>ih', corr, 0) + bytes([len(apis) + 1])
                for k, lo, hi in apis: body += struct.pack('>hhh', k, lo, hi) + b'\0'
                body += struct.pack('>i', 0) + b'\0'
            elif key == 3 and ver == 4:
                body = struct.pack('>ii', corr, 0) + struct.pack('>i', 1) + struct.pack('>i', 1) + string('127.0.0.1') + struct.pack('>ih', port, -1)
                body += struct.pack('>h', -1) + struct.pack('>i', 1)
                body += struct.pack('>i', 1) + struct.pack('>h', 0) + string('events') + b'\0'
                body += struct.pack('>i', 1) + struct.pack('>hii', 0, 0, 1) + struct.pack('>ii', 1, 1) + struct.pack('>ii', 1, 1)
            else:
                continue
            c.sendall(struct.pack('>i', len(body)) + body)
    except (EOFError, socket.timeout, OSError):
        pass
    c.close()
s.settimeout(12)
try:
    while True:
        c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
except socket.timeout:
    pass
