namespace Gatehouse.Server.Dialects;

/// <summary>Where the dialect answering a request is mounted: the one base-path lookup of the dialects.</summary>
internal static class DialectPaths
{
    /// <summary>
    /// The dialect of the request: from its endpoint, or (for a framework answer such as a 405,
    /// whose endpoint lacks the dialect's metadata, or a 404 without endpoint) the one whose base
    /// path owns the path.
    /// </summary>
    public static MountedDialect? Mounted(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<MountedDialect>()
        ?? context.RequestServices.GetRequiredService<DialectRegistry>().Resolve(context.Request.Path);

    /// <summary>The base path of the request's dialect (<c>/</c> when it is mounted at the root), or <paramref name="fallback"/>.</summary>
    public static string BasePath(HttpContext context, string fallback) => Mounted(context)?.BasePath ?? fallback;

    /// <summary>The request path below its dialect's base path (<c>/token</c> for <c>/api/oauth/token</c>).</summary>
    public static string RelativePath(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var basePath = Mounted(context)?.BasePath ?? "/";
        return basePath == "/" ? path : path[Math.Min(basePath.Length, path.Length)..];
    }

    /// <summary>
    /// A link template (<c>{base}</c> = the public base URL) to a route of the request's dialect,
    /// wherever it is mounted: <c>{base}/api/oauth/valid_email/{token}</c>.
    /// </summary>
    public static string LinkTemplate(HttpContext context, string fallbackBasePath, string relative)
    {
        var basePath = BasePath(context, fallbackBasePath);
        return "{base}" + (basePath == "/" ? "" : basePath) + relative;
    }
}
