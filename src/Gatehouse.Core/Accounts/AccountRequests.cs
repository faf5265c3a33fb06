namespace Gatehouse.Core.Accounts;

/// <summary>A new account. At least one of email and username is required.</summary>
public sealed record RegistrationRequest
{
    public string? Email { get; init; }
    public string? Username { get; init; }

    /// <summary>Null only for accounts that sign in through an external provider or an invitation.</summary>
    public string? Password { get; init; }

    public string? FirstName { get; init; }
    public string? MiddleName { get; init; }
    public string? LastName { get; init; }
    public string? Phone { get; init; }
    public string? Company { get; init; }
    public string? JobTitle { get; init; }

    /// <summary>
    /// The password typed a second time, for APIs that send one; when not null it must equal
    /// <see cref="Password"/> (rule <c>mismatch</c> on field <c>passwordConfirmation</c>).
    /// </summary>
    public string? PasswordConfirmation { get; init; }
}

/// <summary>How a registration is carried out.</summary>
public sealed record RegistrationMode
{
    public static RegistrationMode SelfService { get; } = new();

    /// <summary>Start a session in the same transaction and return its tokens.</summary>
    public bool StartSession { get; init; }

    /// <summary>Email a confirmation link (when there is an email and it is not already confirmed).</summary>
    public bool SendConfirmation { get; init; } = true;

    /// <summary>URL template of the confirmation link (<see cref="Common.LinkOptions"/>); null for the default.</summary>
    public string? ConfirmationLinkTemplate { get; init; }

    /// <summary>The email is already proven (an emailed sign-up link, an admin).</summary>
    public bool EmailConfirmed { get; init; }

    /// <summary>Created by an administrator: the registration switch does not apply.</summary>
    public bool ByAdministrator { get; init; }

    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>
    /// The client the session started by <see cref="StartSession"/> belongs to (its token
    /// lifetimes and refresh rotation apply); null for a first-party session.
    /// </summary>
    public Clients.Client? SessionClient { get; init; }

    /// <summary>What every refresh of that session must present besides the refresh token.</summary>
    public Sessions.RefreshRules SessionRefreshRules { get; init; }

    /// <summary>Extra limits of the API the registration came through.</summary>
    public RegistrationRules Rules { get; init; } = RegistrationRules.None;
}

/// <summary>A partial profile change: null leaves a field as it is, an empty string clears it.</summary>
public sealed record ProfileUpdate
{
    public string? Username { get; init; }
    public string? FirstName { get; init; }
    public string? MiddleName { get; init; }
    public string? LastName { get; init; }
    public string? Phone { get; init; }
    public string? Bio { get; init; }
    public string? Location { get; init; }
    public string? Timezone { get; init; }
    public string? Locale { get; init; }
    public string? Gender { get; init; }
    public string? Company { get; init; }
    public string? JobTitle { get; init; }

    /// <summary>Set <see cref="BirthDateSet"/> to change the birth date (null clears it).</summary>
    public DateOnly? BirthDate { get; init; }
    public bool BirthDateSet { get; init; }
}
