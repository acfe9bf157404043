package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Category groups topics. StaffOnly categories (Announcements) accept new
// topics from staff, moderators and admins only; anyone may reply.
type Category struct {
	ID            int64
	Slug          string
	NameEN        string
	NameZH        string
	DescriptionEN string
	DescriptionZH string
	Position      int
	StaffOnly     bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Name returns the category's name in lang (en or zh).
func (c *Category) Name(lang string) string {
	if lang == LangZH && c.NameZH != "" {
		return c.NameZH
	}
	return c.NameEN
}

// Description returns the category's description in lang.
func (c *Category) Description(lang string) string {
	if lang == LangZH && c.DescriptionZH != "" {
		return c.DescriptionZH
	}
	return c.DescriptionEN
}

// CategoryInput creates or edits a category.
type CategoryInput struct {
	Slug          string
	NameEN        string
	NameZH        string
	DescriptionEN string
	DescriptionZH string
	Position      int
	StaffOnly     bool
}

// Slugs of the seeded categories, for code that needs one by name (the SLA
// policies, the docs' "Ask about this page").
const (
	CategoryGettingStarted = "getting-started"
	CategoryJavaScriptSDK  = "javascript-sdk"
	CategoryGoSDK          = "go-sdk"
	CategorySandbox        = "sandbox"
	CategoryProduction     = "production-sla"
	CategoryAnnouncements  = "announcements"
)

var seedCategories = []CategoryInput{
	{CategoryGettingStarted, "Getting started", "入门", "First steps with Switchboard: accounts, apps, your first channel.", "Switchboard 入门：账号、应用和第一个频道。", 10, false},
	{CategoryJavaScriptSDK, "JavaScript SDK", "JavaScript SDK", "The browser and Node.js client.", "浏览器和 Node.js 客户端。", 20, false},
	{CategoryGoSDK, "Go SDK", "Go SDK", "The Go client and server library.", "Go 客户端与服务端库。", 30, false},
	{CategorySandbox, "Sandbox and evaluation", "沙盒与评估", "Trying Switchboard in the sandbox before you commit.", "在正式使用前，先在沙盒里试用 Switchboard。", 40, false},
	{CategoryProduction, "Production and SLA", "生产环境与 SLA", "Running Switchboard in production; incidents and support response times.", "在生产环境运行 Switchboard：故障处理与支持响应时间。", 50, false},
	{CategoryAnnouncements, "Announcements", "公告", "Releases and news from the Switchboard team. Only staff can start topics here.", "Switchboard 团队发布的版本与新闻。只有工作人员可以在此发帖。", 60, true},
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

func (in *CategoryInput) validate() error {
	in.Slug = strings.TrimSpace(in.Slug)
	if len(in.Slug) < 2 || len(in.Slug) > 40 || !slugRE.MatchString(in.Slug) {
		return invalid("slug", "forum.error.category_slug_invalid", nil)
	}
	for _, f := range []struct {
		field string
		v     *string
		max   int
	}{{"name_en", &in.NameEN, 50}, {"name_zh", &in.NameZH, 50}, {"description_en", &in.DescriptionEN, 300}, {"description_zh", &in.DescriptionZH, 300}} {
		*f.v = strings.TrimSpace(*f.v)
		if n := utf8.RuneCountInString(*f.v); n > f.max || (f.max == 50 && n == 0) {
			return invalid(f.field, "forum.error.category_field_invalid", map[string]any{"Max": f.max, "Count": f.max})
		}
	}
	return nil
}

const qCategoryByID = `SELECT ` + categoryCols + ` FROM forum_categories c WHERE c.id = ?`

const categoryCols = `c.id, c.slug, c.name_en, c.name_zh, c.description_en, c.description_zh, c.position, c.staff_only, c.created_at, c.updated_at`

func scanCategory(row scanner) (*Category, error) {
	var c Category
	var created, updated int64
	if err := row.Scan(&c.ID, &c.Slug, &c.NameEN, &c.NameZH, &c.DescriptionEN, &c.DescriptionZH, &c.Position, &c.StaffOnly, &created, &updated); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	return &c, nil
}

func findCategory(ctx context.Context, tx *txn, id int64) (*Category, error) {
	c, err := scanCategory(tx.QueryRowContext(ctx, qCategoryByID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("forum.error.category_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("find category: %w", err)
	}
	return c, nil
}

// Categories returns every category in display order.
func (s *Store) Categories(ctx context.Context) ([]*Category, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+categoryCols+` FROM forum_categories c ORDER BY c.position, c.id`)
	if err != nil {
		return nil, fmt.Errorf("categories: %w", err)
	}
	defer rows.Close()
	var out []*Category
	for rows.Next() {
		c, err := scanCategory(rows)
		if err != nil {
			return nil, fmt.Errorf("categories: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Category returns a category by ID, or ErrNotFound.
func (s *Store) Category(ctx context.Context, id int64) (*Category, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findCategory(ctx, tx, id)
}

// CategoryBySlug returns a category by slug, or ErrNotFound.
func (s *Store) CategoryBySlug(ctx context.Context, slug string) (*Category, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := scanCategory(tx.QueryRowContext(ctx, `SELECT `+categoryCols+` FROM forum_categories c WHERE c.slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("forum.error.category_not_found")
	}
	return c, err
}

// CreateCategory adds a category (admins only). ErrConflict if the slug
// is taken.
func (s *Store) CreateCategory(ctx context.Context, in CategoryInput) (*Category, error) {
	return s.saveCategory(ctx, 0, in)
}

// UpdateCategory edits a category (admins only).
func (s *Store) UpdateCategory(ctx context.Context, id int64, in CategoryInput) (*Category, error) {
	return s.saveCategory(ctx, id, in)
}

// saveCategory creates (id 0) or updates a category, after checking that
// the actor may, and only then the input.
func (s *Store) saveCategory(ctx context.Context, id int64, in CategoryInput) (*Category, error) {
	tx, actor, err := s.beginAs(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := s.check(actor, ActionEditCategory, Resource{}, tx.now); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	if id != 0 {
		if _, err := findCategory(ctx, tx, id); err != nil {
			return nil, err
		}
	}
	c, err := upsertCategory(ctx, tx, id, in)
	if err != nil {
		return nil, err
	}
	return c, s.commit(ctx, tx)
}

func upsertCategory(ctx context.Context, tx *txn, id int64, in CategoryInput) (*Category, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM forum_categories WHERE slug = ? AND id <> ?`, in.Slug, id).Scan(&n); err != nil {
		return nil, fmt.Errorf("category: %w", err)
	}
	if n > 0 {
		return nil, &Error{Kind: ErrConflict, FieldName: "slug", ID: "forum.error.category_slug_taken"}
	}
	now := ms(tx.now)
	if id == 0 {
		res, err := tx.ExecContext(ctx, `INSERT INTO forum_categories (slug, name_en, name_zh, description_en, description_zh, position, staff_only, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Slug, in.NameEN, in.NameZH, in.DescriptionEN, in.DescriptionZH, in.Position, boolInt(in.StaffOnly), now, now)
		if err != nil {
			return nil, fmt.Errorf("create category: %w", err)
		}
		id, _ = res.LastInsertId()
	} else if _, err := tx.ExecContext(ctx, `UPDATE forum_categories SET slug = ?, name_en = ?, name_zh = ?, description_en = ?, description_zh = ?,
		position = ?, staff_only = ?, updated_at = ? WHERE id = ?`,
		in.Slug, in.NameEN, in.NameZH, in.DescriptionEN, in.DescriptionZH, in.Position, boolInt(in.StaffOnly), now, id); err != nil {
		return nil, fmt.Errorf("update category: %w", err)
	}
	return findCategory(ctx, tx, id)
}
