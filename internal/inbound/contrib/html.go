package contrib

import (
	"fmt"

	htmltomarkdown "github.com/JohannesKaufmann/html-to-markdown/v2"
)

// htmlToMarkdown converts an HTML body. Script and style elements are
// dropped by the converter; what it keeps is sanitised again when the item
// body is rendered.
func htmlToMarkdown(html string) (string, error) {
	md, err := htmltomarkdown.ConvertString(html)
	if err != nil {
		return "", fmt.Errorf("HTML body could not be converted: %v", err)
	}
	return md, nil
}
