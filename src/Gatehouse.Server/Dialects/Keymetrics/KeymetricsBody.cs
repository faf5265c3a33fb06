using System.Text.Json;

namespace Gatehouse.Server.Dialects.Keymetrics;

/// <summary>
/// A request body of this dialect, read as JSON or as a form (the service's clients send both to
/// /token). Values are kept as JSON so that one set of accessors serves both.
/// </summary>
internal sealed class KeymetricsBody
{
    /// <summary>Bodies here are a handful of short fields; anything larger is refused early.</summary>
    public const int MaxBytes = 64 * 1024;

    private readonly Dictionary<string, JsonElement> _fields;

    private KeymetricsBody(Dictionary<string, JsonElement> fields) => _fields = fields;

    /// <summary>The body, or the HTTP status that says why it could not be read (400, 413, 415).</summary>
    public static async Task<(KeymetricsBody? Body, int FailureStatus)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes)
        {
            return (null, StatusCodes.Status413PayloadTooLarge);
        }
        if (request.HasJsonContentType())
        {
            var bytes = await DialectBodies.ReadLimitedAsync(request, MaxBytes, cancellationToken);
            if (bytes is null)
            {
                return (null, StatusCodes.Status413PayloadTooLarge);
            }
            try
            {
                using var document = JsonDocument.Parse(bytes);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return (null, StatusCodes.Status400BadRequest);
                }
                var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    fields[property.Name] = property.Value.Clone();
                }
                return (new KeymetricsBody(fields), 0);
            }
            catch (JsonException)
            {
                return (null, StatusCodes.Status400BadRequest);
            }
        }
        if (request.HasFormContentType)
        {
            try
            {
                var form = await request.ReadFormAsync(cancellationToken);
                var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var (key, value) in form)
                {
                    fields[key] = JsonSerializer.SerializeToElement(value.ToString(), KeymetricsJsonContext.Default.String);
                }
                return (new KeymetricsBody(fields), 0);
            }
            catch (InvalidDataException)
            {
                return (null, StatusCodes.Status400BadRequest);
            }
        }
        // No body at all reads as no fields, so a missing parameter gets its own message.
        if (request.ContentLength is null or 0 && string.IsNullOrEmpty(request.ContentType))
        {
            return (new KeymetricsBody([]), 0);
        }
        return (null, StatusCodes.Status415UnsupportedMediaType);
    }

    /// <summary>A string field: null when absent, JSON null or blank; <paramref name="wrongType"/> when it is not a string.</summary>
    public string? String(string name, out bool wrongType)
    {
        wrongType = false;
        if (!_fields.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            wrongType = true;
            return null;
        }
        return string.IsNullOrWhiteSpace(value.GetString()) ? null : value.GetString();
    }

    public string? String(string name) => String(name, out _);

    /// <summary>True for <c>true</c> and <c>1</c> (also as strings, as a form sends them).</summary>
    public bool IsTruthy(string name) =>
        _fields.TryGetValue(name, out var value) && value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.Number => value.TryGetInt64(out var n) && n == 1,
            JsonValueKind.String => value.GetString() is "1" or "true",
            _ => false,
        };
}
