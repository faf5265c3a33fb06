using System.Text;
using Gatehouse.Server.Tokens;
using Gatehouse.Storage;

namespace Gatehouse.Server.Api;

/// <summary>Health probes and the JWKS document.</summary>
internal static class SystemEndpoints
{
    public static IEndpointRouteBuilder MapSystemEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => TypedResults.Ok(new HealthResponse("live"))).WithTags("Health").WithName("Live").WithSummary("The process is up.");
        app.MapGet("/health/ready", ReadyAsync).WithTags("Health").WithName("Ready").WithSummary("The database is reachable and every migration is applied.");
        app.MapGet("/.well-known/jwks.json", JwksAsync).WithTags("Tokens").WithName("Jwks").WithSummary("The public keys that verify access tokens (RFC 7517).");
        return app;
    }

    private static async Task<IResult> ReadyAsync(MigrationRunner migrations, CancellationToken ct)
    {
        try
        {
            return await migrations.IsUpToDateAsync(ct)
                ? TypedResults.Ok(new HealthResponse("ready"))
                : TypedResults.Json(new HealthResponse("migrations pending"), Native.NativeJsonContext.Default.HealthResponse, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            return TypedResults.Json(new HealthResponse("database unreachable"), Native.NativeJsonContext.Default.HealthResponse, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static async Task<IResult> JwksAsync(JwtAccessTokenService tokens, HttpContext http, CancellationToken ct)
    {
        var keys = await tokens.PublicJwksAsync(ct);
        http.Response.Headers.CacheControl = "public, max-age=300";
        // The stored JWKs are already JSON; join them rather than re-serialise.
        var body = new StringBuilder("{\"keys\":[").AppendJoin(',', keys).Append("]}").ToString();
        return TypedResults.Text(body, "application/json", Encoding.UTF8);
    }

    public sealed record HealthResponse(string Status);
}
