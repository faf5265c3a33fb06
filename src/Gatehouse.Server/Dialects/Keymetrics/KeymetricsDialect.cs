using Gatehouse.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Dialects.Keymetrics;

/// <summary>Settings of section <c>Gatehouse:Dialects:keymetrics</c> beyond Enabled and BasePath.</summary>
internal sealed class KeymetricsOptions
{
    /// <summary>
    /// The OAuth client that sessions started here belong to. The core keeps it non-rotating,
    /// because this API's /token hands back the refresh token it was given.
    /// </summary>
    public string ClientId { get; set; } = "keymetrics";

    /// <summary>Where GET /valid_email/:token sends the browser after confirming; <c>{base}</c> is the public base URL.</summary>
    public string EmailConfirmedUrl { get; set; } = "{base}/";
}

/// <summary>
/// Dialect "keymetrics": the PM2.io / Keymetrics OAuth service API at <c>/api/oauth</c>
/// (CONTRACTS.md, "000"). See README.md in this folder.
/// </summary>
internal sealed class KeymetricsDialect(IConfiguration configuration, IOptions<Core.Common.LinkOptions> links) : IDialect
{
    public const string DialectName = "keymetrics";

    public string Name => DialectName;

    public string DefaultBasePath => "/api/oauth";

    public void Map(RouteGroupBuilder group)
    {
        // Read and checked here, where the dialect is mounted, so a bad setting of a switched-off
        // dialect does not stop the server.
        var section = configuration.GetSection($"{GatehouseOptions.Section}:Dialects:{DialectName}");
        var options = new KeymetricsOptions();
        section.Bind(options);
        if (string.IsNullOrWhiteSpace(options.ClientId) || options.ClientId.Trim().Length > 100)
        {
            throw new OptionsValidationException(DialectName, typeof(KeymetricsOptions),
                [$"Gatehouse:Dialects:{DialectName}:ClientId must be a client id of 1 to 100 characters, such as keymetrics."]);
        }
        var endpoints = new KeymetricsEndpoints(options.ClientId.Trim(), ResolveConfirmedUrl(options.EmailConfirmedUrl));
        endpoints.Map(group);
    }

    public Task WriteErrorAsync(HttpContext context, int status)
    {
        // A 405 comes from the framework's own endpoint, which lacks the dialect's metadata.
        var mounted = context.GetEndpoint()?.Metadata.GetMetadata<MountedDialect>()
            ?? context.RequestServices.GetRequiredService<DialectRegistry>().Resolve(context.Request.Path);
        var path = context.Request.Path.Value ?? "";
        var relative = mounted is null || mounted.BasePath == "/" ? path : path[Math.Min(mounted.BasePath.Length, path.Length)..];
        if (string.Equals(relative?.TrimEnd('/'), "/token", StringComparison.OrdinalIgnoreCase))
        {
            // /token speaks OAuth (RFC 6749 section 5.2) even for failures the framework produces.
            KeymetricsResults.NoStore(context);
            return context.Response.WriteAsJsonAsync(
                new KeymetricsOAuthError(status >= 500 ? "server_error" : "invalid_request", Describe(status)),
                KeymetricsJsonContext.Default.KeymetricsOAuthError);
        }
        return context.Response.WriteAsJsonAsync(new KeymetricsMessage(Describe(status)), KeymetricsJsonContext.Default.KeymetricsMessage);
    }

    private static string Describe(int status) => status switch
    {
        400 => "Malformed request",
        401 => "Authentication required",
        404 => "Not found",
        405 => "Method not allowed",
        413 => "Request body too large",
        415 => "Unsupported content type, send JSON",
        429 => "Too many requests, try again later",
        >= 500 => "Internal error",
        _ => "Request failed",
    };

    private string ResolveConfirmedUrl(string template)
    {
        var url = template.Replace("{base}", links.Value.PublicBaseUrl.TrimEnd('/'), StringComparison.Ordinal).Trim();
        var absolute = Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
        if (!absolute && !(url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal)))
        {
            throw new OptionsValidationException(DialectName, typeof(KeymetricsOptions),
                [$"Gatehouse:Dialects:{DialectName}:EmailConfirmedUrl must be an http(s) URL or a path starting with '/', such as {{base}}/email-confirmed (it is '{template}')."]);
        }
        return url;
    }
}
