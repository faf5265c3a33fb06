using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gatehouse.Bench;

/// <summary>
/// A minimal HTTP/1.1 keep-alive client for load generation: one connection per virtual client,
/// requests written as prepared bytes, responses read with Content-Length or chunked framing.
/// HttpClient costs the load generator about 50–70 µs of CPU per request, which on a 2-core
/// machine takes a large share of what the server could use; this costs a fraction of it
/// (the way wrk and bombardier measure). The servers see ordinary HTTP/1.1 requests.
/// </summary>
internal sealed class LeanHttpConnection : IDisposable
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    private readonly EndPoint _endpoint;
    private readonly string _host;
    private Socket? _socket;
    private byte[] _buffer = new byte[16 * 1024];
    private int _filled;

    public LeanHttpConnection(Uri baseAddress)
    {
        _endpoint = new IPEndPoint(IPAddress.Parse(baseAddress.Host), baseAddress.Port);
        _host = baseAddress.Authority;
    }

    /// <summary>The request's head and body as bytes, built once per distinct request.</summary>
    public byte[] Build(string method, string path, string? bearer = null, string? json = null)
    {
        var body = json is null ? [] : Encoding.UTF8.GetBytes(json);
        var head = new StringBuilder()
            .Append(method).Append(' ').Append(path).Append(" HTTP/1.1\r\nHost: ").Append(_host).Append("\r\n");
        if (bearer is not null)
        {
            head.Append("Authorization: Bearer ").Append(bearer).Append("\r\n");
        }
        if (json is not null)
        {
            head.Append("Content-Type: application/json\r\nContent-Length: ").Append(body.Length).Append("\r\n");
        }
        head.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }

    /// <summary>Sends a request and reads the whole response; returns its status and body.</summary>
    public async Task<(int Status, ReadOnlyMemory<byte> Body)> SendAsync(byte[] request)
    {
        if (_socket is null)
        {
            _socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await _socket.ConnectAsync(_endpoint);
            _filled = 0;
        }
        try
        {
            await _socket.SendAsync(request, SocketFlags.None);
            return await ReadResponseAsync();
        }
        catch
        {
            Reset();
            throw;
        }
    }

    private async Task<(int Status, ReadOnlyMemory<byte> Body)> ReadResponseAsync()
    {
        int headerLength;
        while ((headerLength = _buffer.AsSpan(0, _filled).IndexOf(HeaderEnd)) < 0)
        {
            await FillAsync();
        }
        var head = Encoding.ASCII.GetString(_buffer, 0, headerLength);
        var status = int.Parse(head.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
        var bodyStart = headerLength + HeaderEnd.Length;
        var contentLength = -1;
        var chunked = false;
        var close = false;
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = int.Parse(line.AsSpan(15).Trim(), provider: System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                chunked = true;
            }
            else if (line.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase) && line.Contains("close", StringComparison.OrdinalIgnoreCase))
            {
                close = true;
            }
        }
        byte[] body;
        int consumed;
        if (chunked)
        {
            (body, consumed) = await ReadChunkedAsync(bodyStart);
        }
        else
        {
            var length = Math.Max(contentLength, 0);
            while (_filled < bodyStart + length)
            {
                await FillAsync();
            }
            body = _buffer.AsSpan(bodyStart, length).ToArray();
            consumed = bodyStart + length;
        }
        Buffer.BlockCopy(_buffer, consumed, _buffer, 0, _filled - consumed);
        _filled -= consumed;
        if (close)
        {
            Reset();
        }
        return (status, body);
    }

    private async Task<(byte[] Body, int Consumed)> ReadChunkedAsync(int position)
    {
        var body = new MemoryStream();
        while (true)
        {
            int lineEnd;
            while ((lineEnd = _buffer.AsSpan(position, _filled - position).IndexOf("\r\n"u8)) < 0)
            {
                await FillAsync();
            }
            var sizeText = _buffer.AsSpan(position, lineEnd);
            var semicolon = sizeText.IndexOf((byte)';');
            if (!Utf8Parser.TryParse(semicolon >= 0 ? sizeText[..semicolon] : sizeText, out int size, out _, 'x'))
            {
                throw new IOException("Malformed chunk size.");
            }
            position += lineEnd + 2;
            while (_filled < position + size + 2)
            {
                await FillAsync();
            }
            body.Write(_buffer, position, size);
            position += size + 2;
            if (size == 0)
            {
                return (body.ToArray(), position);
            }
        }
    }

    private async Task FillAsync()
    {
        if (_filled == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        var read = await _socket!.ReceiveAsync(_buffer.AsMemory(_filled), SocketFlags.None);
        if (read == 0)
        {
            throw new IOException("The server closed the connection.");
        }
        _filled += read;
    }

    private void Reset()
    {
        _socket?.Dispose();
        _socket = null;
        _filled = 0;
    }

    public void Dispose() => Reset();
}
