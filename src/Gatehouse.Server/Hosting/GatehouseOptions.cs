using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Hosting;

/// <summary>Section <c>Gatehouse</c>: the top-level settings.</summary>
public sealed class GatehouseOptions
{
    public const string Section = "Gatehouse";

    /// <summary>The URL users reach Gatehouse at; issuer of tokens and base of emailed links.</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:5000";

    /// <summary>Where the SQLite file, the mail folder and pictures live.</summary>
    public string DataDirectory { get; set; } = "./data";
}

/// <summary>
/// Section <c>Gatehouse:ReverseProxy</c>. Behind a proxy every request comes from the proxy's
/// address; listing the proxy makes Gatehouse take the client address and scheme from its
/// X-Forwarded-For and X-Forwarded-Proto headers (for per-IP limits, audit, and Secure cookies).
/// Headers from any other sender are ignored, so a client cannot pick its own address.
/// </summary>
public sealed class ReverseProxyOptions
{
    public string[] TrustedProxies { get; set; } = [];
}

/// <summary>Section <c>Gatehouse:RateLimits</c>: requests per client IP per window.</summary>
public sealed class RateLimitOptions
{
    public int SignInPerMinute { get; set; } = 30;
    public int RegistrationPerMinute { get; set; } = 10;
    public int EmailPerMinute { get; set; } = 5;
}

internal sealed class GatehouseOptionsValidator : IValidateOptions<GatehouseOptions>
{
    public ValidateOptionsResult Validate(string? name, GatehouseOptions options)
    {
        var failures = new List<string>();
        if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"Gatehouse:PublicBaseUrl must be an absolute http(s) URL such as https://auth.example.com (it is '{options.PublicBaseUrl}'). Set Gatehouse__PublicBaseUrl.");
        }
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Gatehouse:DataDirectory must name a folder (default ./data). Set Gatehouse__DataDirectory.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        // Below 1 the limiter would silently allow one request a minute; a typo must not pass as a limit.
        var failures = new List<string>();
        foreach (var (key, value, fallback) in new[]
        {
            ("SignInPerMinute", options.SignInPerMinute, 30),
            ("RegistrationPerMinute", options.RegistrationPerMinute, 10),
            ("EmailPerMinute", options.EmailPerMinute, 5),
        })
        {
            if (value < 1)
            {
                failures.Add($"Gatehouse:RateLimits:{key} must be at least 1 request per minute per client IP (it is {value}); the default is {fallback}.");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

internal sealed class ReverseProxyOptionsValidator : IValidateOptions<ReverseProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ReverseProxyOptions options)
    {
        var bad = options.TrustedProxies.Where(p => !System.Net.IPAddress.TryParse(p, out _)).ToList();
        return bad.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Gatehouse:ReverseProxy:TrustedProxies must list IP addresses, such as 127.0.0.1 (not: {string.Join(", ", bad)}).");
    }
}

internal sealed class TokenOptionsValidator : IValidateOptions<Core.Common.TokenOptions>
{
    public ValidateOptionsResult Validate(string? name, Core.Common.TokenOptions options)
    {
        var failures = new List<string>();
        if (options.SigningAlgorithm is not ("ES256" or "RS256"))
        {
            failures.Add($"Gatehouse:Tokens:SigningAlgorithm must be ES256 or RS256 (it is '{options.SigningAlgorithm}').");
        }
        if (options.AccessTokenLifetime <= TimeSpan.Zero || options.RefreshTokenLifetime <= TimeSpan.Zero)
        {
            failures.Add("Gatehouse:Tokens:AccessTokenLifetime and RefreshTokenLifetime must be positive (e.g. 00:15:00 and 30.00:00:00).");
        }
        foreach (var (key, maximum, lifetimeKey, lifetime, fallback) in new[]
        {
            ("MaximumAccessTokenLifetime", options.MaximumAccessTokenLifetime, "AccessTokenLifetime", options.AccessTokenLifetime, "1.00:00:00"),
            ("MaximumRefreshTokenLifetime", options.MaximumRefreshTokenLifetime, "RefreshTokenLifetime", options.RefreshTokenLifetime, "365.00:00:00"),
            ("MaximumAuthorizationCodeLifetime", options.MaximumAuthorizationCodeLifetime, "AuthorizationCodeLifetime", options.AuthorizationCodeLifetime, "00:10:00"),
        })
        {
            // Clients' lifetimes are whole seconds up to int.MaxValue; a cap beyond it caps nothing.
            if (maximum < TimeSpan.FromSeconds(1) || maximum > TimeSpan.FromSeconds(int.MaxValue))
            {
                failures.Add($"Gatehouse:Tokens:{key} must be between 00:00:01 and {TimeSpan.FromSeconds(int.MaxValue):c} (it is {maximum:c}); the default is {fallback}.");
            }
            else if (lifetime > maximum)
            {
                failures.Add($"Gatehouse:Tokens:{key} ({maximum:c}) is below Gatehouse:Tokens:{lifetimeKey} ({lifetime:c}): raise the maximum or lower the default lifetime.");
            }
        }
        if (options.SessionStateCacheDuration < TimeSpan.Zero || options.SessionStateCacheDuration > TimeSpan.FromSeconds(1))
        {
            failures.Add("Gatehouse:Tokens:SessionStateCacheDuration must be between 0 and 00:00:01: ended sessions must be refused within a second.");
        }
        if (options.SigningKeyRotation < TimeSpan.FromHours(1))
        {
            failures.Add("Gatehouse:Tokens:SigningKeyRotation must be at least one hour (e.g. 30.00:00:00).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

internal sealed class DatabaseOptionsValidator : IValidateOptions<Storage.DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, Storage.DatabaseOptions options)
    {
        if (options.Provider is not null && !new[] { "sqlite", "postgres", "postgresql" }.Contains(options.Provider, StringComparer.OrdinalIgnoreCase))
        {
            return ValidateOptionsResult.Fail($"Gatehouse:Database:Provider must be 'sqlite' or 'postgres' (it is '{options.Provider}').");
        }
        if (options.ParsedProvider == Storage.DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail("Gatehouse:Database:ConnectionString is required for PostgreSQL, e.g. 'Host=127.0.0.1;Username=gatehouse;Password=...;Database=gatehouse'. Set Gatehouse__Database__ConnectionString.");
        }
        return ValidateOptionsResult.Success;
    }
}
