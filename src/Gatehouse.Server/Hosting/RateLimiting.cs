using System.Threading.RateLimiting;
using Gatehouse.Server.Api.Native;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Hosting;

/// <summary>
/// Per-client-IP limits on the endpoints an attacker would hammer: every endpoint that checks a
/// password (sign-in and password change share <see cref="SignIn"/>: each costs a hash),
/// registration, and every endpoint that sends email. Per-account throttling of password
/// failures is the core's.
/// </summary>
internal static class RateLimiting
{
    public const string SignIn = "sign-in";
    public const string Registration = "registration";
    public const string Email = "email";

    public static IServiceCollection AddGatehouseRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, limits) =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(SignIn, http => PerIp(http, limits.Value.SignInPerMinute));
            limiter.AddPolicy(Registration, http => PerIp(http, limits.Value.RegistrationPerMinute));
            limiter.AddPolicy(Email, http => PerIp(http, limits.Value.EmailPerMinute));
            limiter.OnRejected = async (context, ct) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                // Under a dialect's base path the refusal speaks the dialect's error language.
                if (context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<Dialects.MountedDialect>() is not null)
                {
                    await Dialects.DialectHosting.WriteErrorAsync(context.HttpContext, StatusCodes.Status429TooManyRequests);
                    return;
                }
                var problem = NativeProblems.Problem(StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests; try again later.");
                await problem.ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }

    private static RateLimitPartition<string> PerIp(HttpContext http, int perMinute) =>
        RateLimitPartition.GetFixedWindowLimiter(
            http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, perMinute), Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
}
