namespace Gatehouse.Core.Accounts;

public enum UserStatus
{
    Pending = 0,
    Active = 1,
    Disabled = 2,
    /// <summary>Kept so that signing up again with the email is refused ("Account was deleted").</summary>
    Deleted = 3,
}

/// <summary>A Gatehouse account. Every dialect reads and writes this one record.</summary>
public sealed class User
{
    /// <summary>Stable numeric id, assigned by the database (two dialects show numbers).</summary>
    public long Number { get; set; }

    /// <summary>Stable string id (<c>usr_…</c>).</summary>
    public string Id { get; set; } = "";

    public string? Email { get; set; }
    public string? NormalizedEmail { get; set; }
    public bool EmailConfirmed { get; set; }
    public string? Username { get; set; }
    public string? NormalizedUsername { get; set; }
    public string? PasswordHash { get; set; }

    public string? FirstName { get; set; }
    public string? MiddleName { get; set; }
    public string? LastName { get; set; }
    public string? Phone { get; set; }
    public string? Bio { get; set; }
    public string? Location { get; set; }
    public DateOnly? BirthDate { get; set; }
    public string? Timezone { get; set; }
    public string? Locale { get; set; }
    public string? Gender { get; set; }
    public string? Company { get; set; }
    public string? JobTitle { get; set; }

    /// <summary>Id of the stored picture, or null.</summary>
    public string? PictureId { get; set; }

    public UserStatus Status { get; set; } = UserStatus.Active;

    /// <summary>Roles, space-separated lower-case names (<c>admin</c>).</summary>
    public string Roles { get; set; } = "";

    public int FailedSignIns { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? LastSignInAt { get; set; }

    /// <summary>
    /// Access tokens issued before this instant (to the second) no longer speak for the user: set
    /// when an administrator changes their roles, disables or deletes them. Their sessions live
    /// on (unless ended), so the next refresh issues a token with what holds now.
    /// </summary>
    public DateTimeOffset? TokensValidAfter { get; set; }

    public IReadOnlyList<string> RoleList => ParseRoles(Roles);

    /// <summary>The stored form of roles (space-separated) as a list.</summary>
    public static IReadOnlyList<string> ParseRoles(string roles) =>
        roles.Length == 0 ? [] : roles.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public bool IsInRole(string role) => RoleList.Contains(role, StringComparer.Ordinal);

    public bool IsAdmin => IsInRole(KnownRoles.Admin);

    /// <summary>A shallow copy (every member is a value or an immutable string).</summary>
    public User Copy() => (User)MemberwiseClone();
}

public static class KnownRoles
{
    public const string Admin = "admin";
}
