namespace Gatehouse.Server.Dialects;

/// <summary>Request-body reading shared by the dialects; each maps the outcome to its own error body.</summary>
internal static class DialectBodies
{
    /// <summary>
    /// The whole body, or null when it is larger than <paramref name="maxBytes"/>: refused from
    /// Content-Length before reading, and for a chunked body as soon as the count passes the
    /// limit, so an oversized body is never held in memory.
    /// </summary>
    public static async Task<byte[]?> ReadLimitedAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
