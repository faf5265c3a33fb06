using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;

namespace Gatehouse.Core.Tokens;

/// <summary>
/// The audience (<c>aud</c>) an access token is issued for, fixed by the session it belongs to,
/// so a token of one product's API is not a token of another (the table of surfaces and what
/// each accepts: docs/architecture.md, "Token audiences").
/// </summary>
public static class AccessTokenAudiences
{
    /// <summary>Gatehouse itself: the native API's sign-in, the CLI, later the hosted pages.</summary>
    public const string FirstParty = "gatehouse";

    /// <summary>Starts the audience of a dialect's session without a client: <c>gatehouse:fittrackee</c>.</summary>
    public const string SurfacePrefix = "gatehouse:";

    /// <summary>
    /// The audience of a session's tokens: its client's id; without a client, Gatehouse itself
    /// for the first-party surfaces, else the surface's own (<see cref="OfSurface"/>).
    /// </summary>
    public static string For(string? clientId, string surface) =>
        clientId ?? (IsFirstPartySurface(surface) ? FirstParty : OfSurface(surface));

    /// <summary>The audience of a surface's sessions that have no client.</summary>
    public static string OfSurface(string surface) => SurfacePrefix + surface;

    /// <summary>The surfaces that are Gatehouse itself rather than a product's API.</summary>
    public static bool IsFirstPartySurface(string surface) => surface is Surfaces.Native or Surfaces.Admin or Surfaces.Cli;

    /// <summary>
    /// Whether a value is one of Gatehouse's own audiences, which no client id may take: a client
    /// called <c>gatehouse</c> would otherwise be issued first-party tokens.
    /// </summary>
    public static bool IsReserved(string value) =>
        value.Equals(FirstParty, StringComparison.OrdinalIgnoreCase) || value.StartsWith(SurfacePrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A token issued to Gatehouse itself. The surface is checked too (it is signed like the
    /// audience), so only a session started on a first-party surface without a client qualifies.
    /// </summary>
    public static bool IsFirstParty(AccessTokenClaims claims) =>
        string.Equals(claims.Audience, FirstParty, StringComparison.Ordinal) && IsFirstPartySurface(claims.Surface);

    /// <summary>
    /// Whether a token carries administrative authority: the <c>admin</c> role on a first-party
    /// token. A token minted for a client (an arc client, later any OIDC client) never does, even
    /// when its user is an administrator: signing in to a third-party app must not hand it the
    /// admin API.
    /// </summary>
    public static bool GrantsAdministration(AccessTokenClaims claims) =>
        IsFirstParty(claims) && claims.Roles.Contains(KnownRoles.Admin, StringComparer.Ordinal);
}

/// <summary>
/// Which access tokens a route accepts, by audience. Built once per route group and passed to
/// <see cref="Sessions.BearerAuthenticator"/>; <see cref="Accepts"/> compares a few strings and
/// allocates nothing (it runs on every authenticated request).
/// </summary>
public sealed class AudiencePolicy
{
    private readonly bool _any;
    private readonly bool _firstParty;
    private readonly string? _surface;
    private readonly string? _surfaceAudience;

    private AudiencePolicy(bool any, bool firstParty, string? surface)
    {
        _any = any;
        _firstParty = firstParty;
        _surface = surface;
        _surfaceAudience = surface is null ? null : AccessTokenAudiences.OfSurface(surface);
    }

    /// <summary>Every token Gatehouse issued (the shared <c>GET /auth/me</c> of CONTRACTS.md).</summary>
    public static AudiencePolicy Any { get; } = new(any: true, firstParty: true, surface: null);

    /// <summary>Only tokens issued to Gatehouse itself (native account API, admin API).</summary>
    public static AudiencePolicy FirstParty { get; } = new(any: false, firstParty: true, surface: null);

    /// <summary>
    /// The tokens a surface issued itself: those of its sessions without a client (audience
    /// <c>gatehouse:&lt;surface&gt;</c>) and those of the clients' sessions it started (audience
    /// the client's id); with <paramref name="andFirstParty"/>, Gatehouse's own as well.
    /// </summary>
    public static AudiencePolicy OwnTokensOf(string surface, bool andFirstParty = false) => new(any: false, andFirstParty, surface);

    public bool Accepts(AccessTokenClaims claims) =>
        _any
        || (_firstParty && AccessTokenAudiences.IsFirstParty(claims))
        || (_surface is not null && string.Equals(claims.Surface, _surface, StringComparison.Ordinal)
            && (string.Equals(claims.Audience, _surfaceAudience, StringComparison.Ordinal) || !AccessTokenAudiences.IsReserved(claims.Audience)));

    /// <summary>For logs and the docs' table.</summary>
    public override string ToString() =>
        _any ? "any" : string.Join(" or ", new[] { _firstParty ? AccessTokenAudiences.FirstParty : null, _surface is null ? null : "own tokens of " + _surface }.Where(s => s is not null));
}
