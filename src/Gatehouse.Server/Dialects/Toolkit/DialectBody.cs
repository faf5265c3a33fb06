using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Gatehouse.Server.Dialects;

/// <summary>Why a request body could not be read; each dialect maps it to its own error body.</summary>
internal enum BodyOutcome
{
    Read,
    /// <summary>Over the route's limit (from Content-Length, or while a chunked body streams in).</summary>
    TooLarge,
    /// <summary>Not JSON (or not a form) that decodes: syntax, invalid UTF-8, a lone surrogate, broken chunking, a wrong JSON type.</summary>
    Malformed,
    /// <summary>A content type the route does not read.</summary>
    UnsupportedMediaType,
}

/// <summary>A read body, or why it was not read.</summary>
/// <param name="ErrorPosition">For <see cref="BodyOutcome.Malformed"/> JSON: the byte offset the parser stopped at, when known.</param>
internal readonly record struct BodyRead<T>(BodyOutcome Outcome, T? Value, long? ErrorPosition = null)
{
    public bool Succeeded => Outcome == BodyOutcome.Read;

    public static BodyRead<T> Failed(BodyOutcome outcome, long? position = null) => new(outcome, default, position);
}

/// <summary>How a route reads its body: the wire rules of its dialect, never what the values mean.</summary>
internal sealed record BodyRules(long MaxBytes)
{
    /// <summary>A body without a Content-Type is read as JSON (LoopBack does); otherwise it is refused with 415.</summary>
    public bool UnlabelledIsJson { get; init; }

    /// <summary>Any content type that mentions json counts as JSON (LoopBack's check), not only application/json and +json.</summary>
    public bool LooseJsonLabel { get; init; }

    /// <summary>An empty body reads as <c>{}</c> whatever its label, so its required fields are reported missing; otherwise it is malformed.</summary>
    public bool EmptyIsEmptyObject { get; init; }
}

/// <summary>
/// The one request-body reader of the dialects. It never holds more than the limit in memory
/// (refused from Content-Length before reading, and as soon as a chunked body passes it), and
/// it turns every way a body can be broken (bad JSON, invalid UTF-8 or a lone surrogate escape
/// inside a string, a broken chunked encoding, a malformed form) into an outcome value: no
/// exception from a hostile body reaches the exception handler as a 500.
/// </summary>
internal static class DialectBody
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>True when the request has neither a body nor a content type (a bodiless POST).</summary>
    public static bool IsAbsent(HttpRequest request) =>
        request.ContentLength is null or 0 && string.IsNullOrEmpty(request.ContentType) && !request.Headers.TransferEncoding.Any(v => v?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>True for <c>application/x-www-form-urlencoded</c> and <c>multipart/form-data</c>.</summary>
    public static bool IsForm(HttpRequest request) => request.HasFormContentType;

    /// <summary>The whole body, up to <paramref name="maxBytes"/>.</summary>
    public static async Task<BodyRead<byte[]>> ReadBytesAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return BodyRead<byte[]>.Failed(BodyOutcome.TooLarge);
        }
        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return BodyRead<byte[]>.Failed(BodyOutcome.TooLarge);
                }
                buffer.Write(chunk, 0, read);
            }
            return new BodyRead<byte[]>(BodyOutcome.Read, buffer.ToArray());
        }
        catch (BadHttpRequestException bad)
        {
            // Kestrel's own refusals of the framing: an invalid chunk size, a body shorter than
            // its Content-Length, or its own size limit.
            return BodyRead<byte[]>.Failed(bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? BodyOutcome.TooLarge : BodyOutcome.Malformed);
        }
    }

    /// <summary>A JSON body as a document (for dialects that check a schema or read fields one by one).</summary>
    public static async Task<BodyRead<JsonElement>> ReadJsonAsync(HttpRequest request, BodyRules rules, CancellationToken cancellationToken)
    {
        var bytes = await ReadJsonBytesAsync(request, rules, cancellationToken);
        if (!bytes.Succeeded)
        {
            return BodyRead<JsonElement>.Failed(bytes.Outcome);
        }
        if (bytes.Value!.Length == 0)
        {
            return rules.EmptyIsEmptyObject ? new BodyRead<JsonElement>(BodyOutcome.Read, EmptyObject) : BodyRead<JsonElement>.Failed(BodyOutcome.Malformed);
        }
        try
        {
            using var document = JsonDocument.Parse(bytes.Value, new JsonDocumentOptions { MaxDepth = 64 });
            // Every string is decoded once here, so that a lone surrogate escape (\ud800) is the
            // caller's malformed body and not an exception later, when a field is read.
            return Decodes(document.RootElement)
                ? new BodyRead<JsonElement>(BodyOutcome.Read, document.RootElement.Clone())
                : BodyRead<JsonElement>.Failed(BodyOutcome.Malformed, 0);
        }
        catch (JsonException ex)
        {
            return BodyRead<JsonElement>.Failed(BodyOutcome.Malformed, ex.BytePositionInLine ?? 0);
        }
    }

    /// <summary>A JSON body bound to a wire type of the dialect's serializer context; JSON <c>null</c> is malformed.</summary>
    public static async Task<BodyRead<T>> ReadJsonAsync<T>(HttpRequest request, JsonTypeInfo<T> type, BodyRules rules, CancellationToken cancellationToken) where T : class
    {
        var bytes = await ReadJsonBytesAsync(request, rules, cancellationToken);
        if (!bytes.Succeeded)
        {
            return BodyRead<T>.Failed(bytes.Outcome);
        }
        var json = bytes.Value!.Length == 0 && rules.EmptyIsEmptyObject ? "{}"u8.ToArray() : bytes.Value;
        try
        {
            return JsonSerializer.Deserialize(json, type) is { } value
                ? new BodyRead<T>(BodyOutcome.Read, value)
                : BodyRead<T>.Failed(BodyOutcome.Malformed);
        }
        catch (JsonException ex)
        {
            return BodyRead<T>.Failed(BodyOutcome.Malformed, ex.BytePositionInLine);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // A string that does not transcode (a lone surrogate escape) or a value the type refuses.
            return BodyRead<T>.Failed(BodyOutcome.Malformed);
        }
    }

    /// <summary>A form body (urlencoded or multipart) as its fields, each value joined as one string.</summary>
    public static async Task<BodyRead<IReadOnlyDictionary<string, string>>> ReadFormAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return BodyRead<IReadOnlyDictionary<string, string>>.Failed(BodyOutcome.TooLarge);
        }
        try
        {
            var form = await request.ReadFormAsync(new Microsoft.AspNetCore.Http.Features.FormOptions
            {
                ValueLengthLimit = (int)Math.Min(maxBytes, int.MaxValue),
                MultipartBodyLengthLimit = maxBytes,
                MultipartHeadersLengthLimit = (int)Math.Min(maxBytes, 16 * 1024),
                BufferBody = false,
            }, cancellationToken);
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in form)
            {
                fields[key] = value.ToString();
            }
            return new BodyRead<IReadOnlyDictionary<string, string>>(BodyOutcome.Read, fields);
        }
        catch (BadHttpRequestException bad)
        {
            return BodyRead<IReadOnlyDictionary<string, string>>.Failed(bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? BodyOutcome.TooLarge : BodyOutcome.Malformed);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or DecoderFallbackException)
        {
            // A body that is not the form it claims to be (a JSON body labelled multipart, say).
            return BodyRead<IReadOnlyDictionary<string, string>>.Failed(BodyOutcome.Malformed);
        }
    }

    /// <summary>The label check and the bounded read shared by both JSON readers.</summary>
    private static async Task<BodyRead<byte[]>> ReadJsonBytesAsync(HttpRequest request, BodyRules rules, CancellationToken cancellationToken)
    {
        var labelled = !string.IsNullOrEmpty(request.ContentType);
        var isJson = labelled
            ? rules.LooseJsonLabel ? request.ContentType!.Contains("json", StringComparison.OrdinalIgnoreCase) : request.HasJsonContentType()
            : rules.UnlabelledIsJson;
        // A wrong label is refused before reading, unless an empty body would still be {} (then
        // only a body with content is refused for its label).
        if (!isJson && !rules.EmptyIsEmptyObject)
        {
            return BodyRead<byte[]>.Failed(BodyOutcome.UnsupportedMediaType);
        }
        var bytes = await ReadBytesAsync(request, rules.MaxBytes, cancellationToken);
        if (bytes.Succeeded && !isJson && bytes.Value!.Length > 0)
        {
            return BodyRead<byte[]>.Failed(BodyOutcome.UnsupportedMediaType);
        }
        return bytes;
    }

    private static bool Decodes(JsonElement element)
    {
        try
        {
            return Walk(element);
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static bool Walk(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String:
                    _ = e.GetString();
                    return true;
                case JsonValueKind.Object:
                    foreach (var property in e.EnumerateObject())
                    {
                        _ = property.Name;
                        if (!Walk(property.Value))
                        {
                            return false;
                        }
                    }
                    return true;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray())
                    {
                        if (!Walk(item))
                        {
                            return false;
                        }
                    }
                    return true;
                default:
                    return true;
            }
        }
    }
}
