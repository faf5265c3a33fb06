namespace Gatehouse.Core.Accounts;

/// <summary>
/// Limits an adapter adds to a registration because the API it serves has them (FitTrackee's
/// usernames of 3 to 12 characters). The core checks them and reports the failed rule on the
/// field (<c>username</c>: <c>too_short</c>, <c>too_long</c>, <c>required</c>); the adapter
/// turns rule codes into its own messages.
/// </summary>
public sealed record RegistrationRules
{
    public static RegistrationRules None { get; } = new();

    public bool UsernameRequired { get; init; }

    public int? UsernameMinimumLength { get; init; }

    public int? UsernameMaximumLength { get; init; }
}
