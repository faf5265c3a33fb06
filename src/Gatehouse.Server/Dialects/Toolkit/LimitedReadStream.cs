namespace Gatehouse.Server.Dialects;

/// <summary>Thrown by <see cref="LimitedReadStream"/> when a body goes past its limit.</summary>
internal sealed class PayloadTooLargeException() : IOException("The request body is larger than allowed.");

/// <summary>
/// A read-only view of a request body that counts what it hands out and stops at a limit. The
/// in-memory test server does not enforce Kestrel's MaxRequestBodySize and a chunked body has
/// no Content-Length, so the count is what guarantees an oversized upload is never read whole.
/// </summary>
internal sealed class LimitedReadStream(Stream inner, long limit) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(int read)
    {
        _read += read;
        return _read > limit ? throw new PayloadTooLargeException() : read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    // The request body belongs to the server: never disposed from here.
    protected override void Dispose(bool disposing)
    {
    }
}
