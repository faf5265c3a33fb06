using Gatehouse.Core.Clients;

namespace Gatehouse.Server.Dialects;

/// <summary>HTTP Basic client credentials (RFC 7617; RFC 6749 section 2.3.1: id and secret are form-url-encoded first).</summary>
internal static class BasicCredentials
{
    /// <summary>True when the request authenticates with the Basic scheme (whether or not the value parses).</summary>
    public static bool IsPresent(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase);

    /// <summary>The credentials of a Basic header; an unreadable one is a client with an empty id, which no client has.</summary>
    public static ClientCredentials Read(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        try
        {
            var decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                return new ClientCredentials(Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
            }
        }
        catch (FormatException)
        {
        }
        return new ClientCredentials("", null);
    }
}
