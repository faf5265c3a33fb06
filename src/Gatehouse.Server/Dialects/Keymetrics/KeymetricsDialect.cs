using Gatehouse.Core.Clients;
using Gatehouse.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Dialects.Keymetrics;

/// <summary>Section <c>Gatehouse:Dialects:keymetrics</c>.</summary>
internal sealed class KeymetricsOptions : DialectOptions
{
    /// <summary>
    /// The OAuth client that sessions started here belong to. The core keeps it non-rotating,
    /// because this API's /token hands back the refresh token it was given, and public, because
    /// PM2.io's clients send their own id (the library's default is 795984050), not this one.
    /// </summary>
    public string ClientId { get; set; } = "keymetrics";

    /// <summary>Where GET /valid_email/:token sends the browser after confirming; <c>{base}</c> is the public base URL.</summary>
    public string EmailConfirmedUrl { get; set; } = "{base}/";

    /// <summary>The client as the core needs it.</summary>
    internal SurfaceClient Client => new(ClientId.Trim(), "PM2.io / Keymetrics dialect", RotateRefreshTokens: false, Public: true);

    /// <summary><see cref="EmailConfirmedUrl"/> with <c>{base}</c> filled in.</summary>
    internal string ResolveEmailConfirmedUrl(string publicBaseUrl) =>
        EmailConfirmedUrl.Replace("{base}", publicBaseUrl.TrimEnd('/'), StringComparison.Ordinal).Trim();
}

internal sealed class KeymetricsOptionsValidator(IOptions<GatehouseOptions> gatehouse) : IValidateOptions<KeymetricsOptions>
{
    private const string Key = $"{GatehouseOptions.Section}:Dialects:{KeymetricsDialect.DialectName}";

    public ValidateOptionsResult Validate(string? name, KeymetricsOptions options)
    {
        // The settings of a switched-off dialect cannot stop the server.
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClientId) || options.ClientId.Trim().Length > 100)
        {
            failures.Add($"{Key}:ClientId must be a client id of 1 to 100 characters, such as keymetrics.");
        }
        var url = options.ResolveEmailConfirmedUrl(gatehouse.Value.PublicBaseUrl);
        var absolute = Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
        if (!absolute && !(url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal)))
        {
            failures.Add($"{Key}:EmailConfirmedUrl must be an http(s) URL or a path starting with '/', such as {{base}}/email-confirmed (it is '{options.EmailConfirmedUrl}').");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Dialect "keymetrics": the PM2.io / Keymetrics OAuth service API at <c>/api/oauth</c>
/// (CONTRACTS.md, "000"). See README.md in this folder.
/// </summary>
internal sealed class KeymetricsDialect(IOptions<KeymetricsOptions> options, IOptions<GatehouseOptions> gatehouse) : IDialect
{
    public const string DialectName = "keymetrics";

    public string Name => DialectName;

    public string DefaultBasePath => "/api/oauth";

    public static IServiceCollection Add(IServiceCollection services, IConfiguration gatehouseSection) =>
        services.AddDialect<KeymetricsDialect, KeymetricsOptions, KeymetricsOptionsValidator>(gatehouseSection, DialectName, KeymetricsJsonContext.Default, (options, section) => options.Bind(section));

    public void Map(RouteGroupBuilder group) =>
        group.MapKeymetrics(new KeymetricsSettings(options.Value.Client, options.Value.ResolveEmailConfirmedUrl(gatehouse.Value.PublicBaseUrl)));

    public Task WriteErrorAsync(HttpContext context, int status)
    {
        // /token speaks OAuth (RFC 6749 section 5.2) even for failures the framework produces.
        var body = string.Equals(DialectPaths.RelativePath(context).TrimEnd('/'), "/token", StringComparison.OrdinalIgnoreCase)
            ? (IResult)KeymetricsMapper.OAuth(context, status >= 500 ? "server_error" : "invalid_request", KeymetricsMapper.Describe(status), status)
            : KeymetricsMapper.Message(status, KeymetricsMapper.Describe(status));
        return body.ExecuteAsync(context);
    }
}

/// <summary>The validated settings the routes use.</summary>
internal sealed record KeymetricsSettings(SurfaceClient Client, string EmailConfirmedUrl);
