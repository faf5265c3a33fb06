namespace Gatehouse.Core.Clients;

/// <summary>An OAuth client application. Secrets are kept encrypted (admins may read them back).</summary>
public sealed class Client
{
    public long Number { get; set; }
    public string ClientId { get; set; } = "";
    public string Name { get; set; } = "";

    /// <summary>The client secret, encrypted with the secret protector; null for a public client.</summary>
    public string? ProtectedSecret { get; set; }

    /// <summary>
    /// A public client (RFC 6749 section 2.1) has no secret: it cannot keep one, so its id
    /// authenticates nothing. A confidential client has a secret.
    /// </summary>
    public bool IsPublic => ProtectedSecret is null;

    /// <summary>A second secret some dialects use to sign authorization codes, encrypted.</summary>
    public string? ProtectedCodeSecret { get; set; }

    /// <summary>Allowed redirect URIs, space-separated.</summary>
    public string RedirectUris { get; set; } = "";

    public int? AccessTokenLifetimeSeconds { get; set; }
    public int? RefreshTokenLifetimeSeconds { get; set; }
    public int? AuthorizationCodeLifetimeSeconds { get; set; }
    public bool RotateRefreshTokens { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    public string? DeletedBy { get; set; }

    public bool IsDeleted => DeletedAt is not null;

    public IReadOnlyList<string> RedirectUriList =>
        RedirectUris.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
