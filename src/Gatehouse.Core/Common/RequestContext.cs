namespace Gatehouse.Core.Common;

/// <summary>Who is asking, from where, through which surface. Filled by the adapter from the request.</summary>
public sealed record RequestContext(string Surface, string? IpAddress = null, string? UserAgent = null, string? DeviceId = null)
{
    public static RequestContext Internal { get; } = new("internal");
}

/// <summary>Names of the API surfaces; a session remembers which one created it.</summary>
public static class Surfaces
{
    public const string Native = "native";
    public const string Admin = "admin";
    public const string Cli = "cli";
}
