using Gatehouse.Core.Pictures;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Api.Native;

/// <summary>
/// Profile pictures, whichever surface stored them, at <c>/api/v1/pictures/{id}</c>. Public like
/// the original products' picture URLs (an <c>img</c> tag sends no bearer token); the id is a
/// 128-bit random value that changes with every new picture.
/// </summary>
internal static class PictureEndpoints
{
    public const string BasePath = "/api/v1/pictures";

    public static string UrlOf(string pictureId) => $"{BasePath}/{pictureId}";

    public static IEndpointRouteBuilder MapPictureEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup(BasePath).WithTags("Pictures")
            .MapGet("/{pictureId}", GetAsync).WithName("GetPicture").WithSummary("A stored profile picture (PNG, JPEG or GIF).");
        return app;
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> GetAsync(string pictureId, PictureService pictures, HttpContext http, CancellationToken ct)
    {
        if (await pictures.OpenAsync(pictureId, ct) is not { } picture)
        {
            return NativeProblems.From(Core.Common.CoreErrors.NotFound);
        }
        // The type is the one of the real content; nosniff stops a browser from guessing another.
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        http.Response.Headers.CacheControl = "private, max-age=300";
        return TypedResults.Stream(picture.Content, picture.ContentType);
    }
}
