using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests;

/// <summary>
/// The real server process refuses to start on a bad setting: it exits non-zero with a message
/// that names the key and says how to fix it. One bad value for every options class validated
/// at start-up, and for every dialect setting checked when the dialect is mounted.
/// </summary>
public sealed class StartupValidationTests
{
    /// <summary>A setting, a value it must refuse, and what the refusal must say (at least the key).</summary>
    private sealed record BadSetting(string Options, string Key, string Value, string Message);

    private static readonly BadSetting[] OnePerOptionsClass =
    [
        new("GatehouseOptions", "Gatehouse:PublicBaseUrl", "not a url", "Gatehouse:PublicBaseUrl must be an absolute http(s) URL"),
        new("SmtpOptions", "Gatehouse:Smtp:Port", "0", "Gatehouse:Smtp:Port must be between 1 and 65535"),
        new("RateLimitOptions", "Gatehouse:RateLimits:SignInPerMinute", "0", "Gatehouse:RateLimits:SignInPerMinute must be at least 1"),
        new("ReverseProxyOptions", "Gatehouse:ReverseProxy:TrustedProxies:0", "proxy.example", "Gatehouse:ReverseProxy:TrustedProxies must list IP addresses"),
        new("MailLimitOptions", "Gatehouse:RateLimits:PerAccountEmailsPerHour", "0", "Gatehouse:RateLimits:PerAccountEmailsPerHour must be at least 1"),
        new("TokenOptions", "Gatehouse:Tokens:SigningAlgorithm", "HS256", "Gatehouse:Tokens:SigningAlgorithm must be ES256 or RS256"),
        new("TokenOptions", "Gatehouse:Tokens:MaximumAccessTokenLifetime", "00:00:00", "Gatehouse:Tokens:MaximumAccessTokenLifetime must be between 00:00:01 and"),
        new("TokenOptions", "Gatehouse:Tokens:MaximumRefreshTokenLifetime", "30000.00:00:00", "Gatehouse:Tokens:MaximumRefreshTokenLifetime must be between 00:00:01 and"),
        new("TokenOptions", "Gatehouse:Tokens:MaximumAuthorizationCodeLifetime", "00:01:00", "Gatehouse:Tokens:MaximumAuthorizationCodeLifetime (00:01:00) is below Gatehouse:Tokens:AuthorizationCodeLifetime"),
        new("PasswordOptions", "Gatehouse:Passwords:MinimumLength", "4", "Gatehouse:Passwords:MinimumLength must be at least 8"),
        // A bool has no validator: the binder itself refuses the value, naming the key.
        new("RegistrationOptions", "Gatehouse:Registration:Enabled", "maybe", "Gatehouse:Registration:Enabled"),
        new("SignInOptions", "Gatehouse:SignIn:MaximumConsecutiveFailures", "1000", "Gatehouse:SignIn:MaximumConsecutiveFailures must be between 1 and 100"),
        new("DatabaseOptions", "Gatehouse:Database:Provider", "oracle", "Gatehouse:Database:Provider must be 'sqlite' or 'postgres'"),
        new("keymetrics", "Gatehouse:Dialects:keymetrics:ClientId", new string('k', 101), "Gatehouse:Dialects:keymetrics:ClientId"),
        new("keymetrics", "Gatehouse:Dialects:keymetrics:EmailConfirmedUrl", "javascript:alert(1)", "Gatehouse:Dialects:keymetrics:EmailConfirmedUrl"),
        new("ccx", "Gatehouse:Dialects:ccx:SecureCookies", "sometimes", "Gatehouse:Dialects:ccx:SecureCookies"),
        new("ccx", "Gatehouse:Dialects:ccx:AllowedOrigins:0", "https://app.example.com/a-page", "Gatehouse:Dialects:ccx:AllowedOrigins"),
        new("DialectOptions", "Gatehouse:Dialects:fittrackee:BasePath", "api/auth", "Gatehouse:Dialects:fittrackee:BasePath"),
        new("LinkOptions", "Gatehouse:Links:PasswordReset", "{base}/reset", "Gatehouse:Links:PasswordReset must be an http(s) URL template with {token}"),
        new("arc", "Gatehouse:Dialects:arc:PasswordResetLink", "ftp://files/{token}", "Gatehouse:Dialects:arc:PasswordResetLink must be an http(s) URL template"),
        new("arc", "Gatehouse:Dialects:arc:OtpClients", new string('o', 101), "Gatehouse:Dialects:arc:OtpClients must list client ids"),
    ];

    [Fact]
    public async Task A_bad_value_in_any_options_class_stops_the_process_with_a_message_that_names_the_key()
    {
        // Each start costs a couple of seconds of JIT on a busy machine: a few at a time.
        using var gate = new SemaphoreSlim(4);
        var problems = await Task.WhenAll(OnePerOptionsClass.Select(async bad =>
        {
            await gate.WaitAsync();
            var data = Directory.CreateTempSubdirectory("gatehouse-bad-").FullName;
            try
            {
                var settings = new Dictionary<string, string> { ["Gatehouse:DataDirectory"] = data, [bad.Key] = bad.Value };
                var (exitCode, output) = await GatehouseProcess.StartExpectingExitAsync(settings, TimeSpan.FromSeconds(60));
                return exitCode switch
                {
                    null => $"{bad.Options}: {bad.Key}={bad.Value} did not stop the server",
                    0 => $"{bad.Options}: {bad.Key}={bad.Value} exited with 0",
                    _ when !output.Contains(bad.Message, StringComparison.Ordinal) => $"{bad.Options}: {bad.Key}={bad.Value} exited with {exitCode} without '{bad.Message}':\n{output}",
                    _ => null,
                };
            }
            finally
            {
                gate.Release();
                Directory.Delete(data, recursive: true);
            }
        }));
        Assert.True(problems.All(p => p is null), string.Join("\n\n", problems.Where(p => p is not null)));
    }
}
